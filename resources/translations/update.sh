#!/bin/sh
# Re-extract the desktop app's strings into the .ts files, then compile them to .qm.
# Translate new entries (Qt Linguist, or by hand in the .ts) before running it a second time to compile.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
for lang in zh_CN; do
    pyside6-lupdate -no-obsolete -locations none $(find ui -name "*.py" | sort) -ts "resources/translations/bidclient_$lang.ts"
    pyside6-lrelease -silent "resources/translations/bidclient_$lang.ts" -qm "resources/translations/bidclient_$lang.qm"
done
