# tests/loop.sh - the learning loop of the README's cron recipe, sourced by
# tests/check-loop.sh and tests/bench/bench-loop.sh: each round (a day)
# retrains on the history with point-in-time features, prices the day's
# candidates (with exploration, or without), draws the outcomes from the
# true model (tests/gen-loop.c) and appends them to the history.
# loop_run DIR EPS ROUNDS N SEED prints a line a round:
#   round b_hat se share explored
# with the fitted price coefficient, its standard error, the share of the
# true optimum's expected profit that the round's prices earned, and the
# rows explored.
loop_run() {
	dir=$1 eps=$2 rounds=$3 n=$4 seed=$5
	"$gen" history "$seed" 2000 >"$dir/h.csv" || return 1
	round=1
	while [ "$round" -le "$rounds" ]; do
		day=$((10 + round))
		"$bin/pr-features" -q --fit "$dir/s.json" --asof-col date --history "$dir/h.csv" \
			--key customer --agg count --cold-start population "$dir/h.csv" >"$dir/train.csv" &&
		"$bin/pr-train" -q --family logistic -o "$dir/m.json" \
			-f 'bought ~ item + log(price/list_price) + log1p(hist_count)' \
			"$dir/train.csv" >"$dir/coef.csv" || return 1
		explore=""
		[ "$eps" != 0 ] && explore="--explore $eps --seed $day"
		"$gen" candidates "$seed" "$day" "$n" | "$bin/pr-features" -q --apply "$dir/s.json" |
			"$bin/pr-optimize" -q -m "$dir/m.json" --cost cost --min-price min_p \
			--max-price max_p $explore >"$dir/p.csv" || return 1
		awk -F, -v r="$round" -v v="$("$gen" value <"$dir/p.csv")" '
			$1 == "log(price/list_price)" { b = $2; se = $3 }
			END { split(v, a, " "); printf "%d %.4f %.4f %.4f", r, b, se, a[1] / a[2] }' \
			"$dir/coef.csv"
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			c["policy"] && $c["policy"] == "explore" { x++ } END { printf " %d\n", x }' "$dir/p.csv"
		"$gen" outcomes "$seed" "$day" <"$dir/p.csv" | tail -n +2 >>"$dir/h.csv" || return 1
		round=$((round + 1))
	done
}
