#!/bin/sh
# tests/check-wording.sh - the project's text speaks of the software only:
# no sentence about how it was specified (numbered issues, design or style
# documents that are not in the repository).  Every source, header, man
# page, test, script and document is searched, except this file.
# Last line: "N passed, N failed".
top=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
pattern='\bissues? *#?[0-9]|\(issue|the issue\b|this issue|an issue asked|DESIGN\.md|STYLE\.md|design doc|style guide of|/work/shared'
files=$(cd "$top" && find README.md Makefile .ci common tools tests man testdata -type f \
	\( -name '*.[ch]' -o -name '*.sh' -o -name '*.py' -o -name '*.R' -o -name '*.[17]' \
	-o -name '*.md' -o -name 'README*' -o -name 'Makefile' -o -name 'run' -o -name 'cmd' \) \
	! -path 'tests/check-wording.sh' 2>/dev/null)
for f in $files; do
	hits=$(grep -n -i -E "$pattern" "$top/$f")
	if [ -n "$hits" ]; then
		failed=$((failed + 1))
		printf 'FAIL %s speaks of how the project was specified:\n%s\n' "$f" "$hits" | head -n 6
	fi
done
# one check: the whole tree
[ "$failed" -eq 0 ] && passed=1
echo "$passed passed, $failed failed"
