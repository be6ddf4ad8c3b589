#!/usr/bin/env bash
# Vendor the compiled NHS.UK frontend into app/static/vendor/ (run when upgrading; the result is committed).
# The version must match nhsuk-frontend-jinja's compatibility table (0.10.2 -> 10.6.1).
set -euo pipefail
VERSION=${1:-10.6.1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST="$ROOT/app/static/vendor/nhsuk-frontend-$VERSION"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack "nhsuk-frontend@$VERSION" --silent >/dev/null && tar xzf "nhsuk-frontend-$VERSION.tgz")
SRC="$WORK/package/dist/nhsuk"
rm -rf "$DEST" && mkdir -p "$DEST"
cp "$SRC/nhsuk-frontend.min.js" "$DEST/"
cp -r "$SRC/assets" "$DEST/assets"
# Point image URLs at the vendored copies, and drop the Frutiger @font-face rules: the font is
# licensed for nhs.uk only and our CSP allows fonts from this site alone (Arial is the fallback).
python3 - "$SRC/nhsuk-frontend.min.css" "$DEST/nhsuk-frontend.min.css" "$VERSION" <<'PY'
import re, sys
css = open(sys.argv[1], encoding="utf-8").read()
css = css.replace("url(/assets/", f"url(/static/vendor/nhsuk-frontend-{sys.argv[3]}/assets/")
css = re.sub(r"@font-face\{[^}]*\}", "", css)
css = re.sub(r"/\*# sourceMappingURL=.*?\*/", "", css)
open(sys.argv[2], "w", encoding="utf-8").write(css)
PY
sed -i 's#//\# sourceMappingURL=.*##' "$DEST/nhsuk-frontend.min.js"
echo "$VERSION" > "$DEST/VERSION"
cat > "$DEST/LICENCE" <<TXT
NHS.UK frontend $VERSION, https://github.com/nhsuk/nhsuk-frontend
The MIT License (MIT). Copyright (c) 2020 NHS Digital.
Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation
the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to the following conditions: The above copyright
notice and this permission notice shall be included in all copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.
TXT
echo "Vendored nhsuk-frontend $VERSION into $DEST"
