#!/bin/sh
# report-model.sh - the model fixtures of the pr-report cases, made by
# pr-train from report-model-train.csv (which this script writes too):
# report-model.json (bought ~ price, linear) and report-model-by.json
# (the same, one model per region).  The data are 0/1 purchases whose
# share at each price lies on a line, so that least squares gives it:
# north 1.2 - 0.06 price, south 0.9 - 0.02 price, both 1.05 - 0.04 price.
# Run in testdata/:  sh report-model.sh ../build/bin
set -e
bin=${1:-../build/bin}
{
	echo "region,price,bought"
	for spec in north:5:9 north:10:6 north:15:3 south:5:8 south:10:7 south:15:6; do
		IFS=: read region price ones <<-END
		$spec
		END
		i=0
		while [ $i -lt 10 ]; do
			echo "$region,$price,$([ $i -lt "$ones" ] && echo 1 || echo 0)"
			i=$((i + 1))
		done
	done
} > report-model-train.csv
"$bin/pr-train" -q -f 'bought ~ price' -o report-model.json report-model-train.csv > /dev/null
"$bin/pr-train" -q -f 'bought ~ price' --by region -o report-model-by.json report-model-train.csv > /dev/null
