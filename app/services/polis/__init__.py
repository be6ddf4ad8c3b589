"""Pol.is interoperability: import a Pol.is conversation from its export files, and export one in that layout.

- files.read_export: Check every file of a Pol.is export and return it in memory, or raise listing every problem.
- files.files_from_zip: The known export files inside a zip, sizes checked before anything is unpacked.
- importing.check_files: Check the files and keep them for the facilitator to confirm (the preview of counts).
- importing.confirm_import: Import checked files now, or in the background when they hold many votes.
- importing.import_files: Check and import at once (the command line); re-importing the same files changes nothing.
- importing.get_import: An import into an organisation this person facilitates, or NotFound.
- importing.source_of: The Pol.is import a conversation came from, if it was imported.
- exporting.export_files: A conversation's ideas and votes in Pol.is's export layout, participants numbered in a shuffled order.
"""
