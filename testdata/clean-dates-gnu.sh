#!/bin/sh
# clean-dates-gnu.sh - reference calendar facts from GNU date for
# tests/unit/test_date.c: "YYYY-MM-DD weekday(1=Mon) yday ISO-year ISO-week
# days-since-1970".  The week-boundary days (Dec 25 - Jan 7) of 1990-2040
# and the first of every month 1900-2100, plus 0001-01-01 and 9999-12-31.
# Run: sh clean-dates-gnu.sh > clean-dates-gnu.txt
{
	y=1990
	while [ $y -le 2040 ]; do
		for d in 25 26 27 28 29 30 31; do echo "$y-12-$d"; done
		for d in 01 02 03 04 05 06 07; do echo "$((y + 1))-01-$d"; done
		y=$((y + 1))
	done
	y=1900
	while [ $y -le 2100 ]; do
		for m in 01 02 03 04 05 06 07 08 09 10 11 12; do echo "$y-$m-01"; done
		echo "$y-02-28"
		y=$((y + 1))
	done
	echo 0001-01-01
	echo 9999-12-31
} | LC_ALL=C TZ=UTC date -u -f - '+%Y-%m-%d %u %j %G %V %s' |
	awk '{ printf "%s %s %d %s %d %d\n", $1, $2, $3, $4, $5, $6 / 86400 }'
