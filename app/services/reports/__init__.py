"""Board reports: one model of a conversation's themes, rendered as the printable page and as a Word document.

- model.board_report: The board report of a conversation the person leads or facilitates (NotFound otherwise).
- charts.bar_png: A horizontal bar chart of a report chart's rows, as PNG bytes.
- word.to_docx: The report as a .docx document (word.write_docx writes it into a file object).
"""
