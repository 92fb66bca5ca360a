# tests/realistic-pipe.sh - the pipes measured on the realistic market
# (tests/gen-realistic.c), sourced by tests/check-realistic.sh and
# tests/bench/bench-realistic.sh.  Each reads $dir/h.csv (history),
# $dir/c.csv (candidates) and $dir/o.csv (offers), and writes $dir/p.csv
# (prices, no offers) and $dir/po.csv (prices and offers).
#
# full:  point-in-time customer history (each training row sees only what
#        came before it): the purchase rate, the rate when a coupon was shown
#        and the paid price relative to list of what was bought; the item's
#        28-day reference price; and a formula with the reference price's
#        kink (losses weigh more than gains) and price and coupon
#        sensitivity by the customer's history.
# basic: what the toolkit expressed before point-in-time features and
#        kinked terms: one as-of date for every training row (the row's own
#        outcome leaks into its features) and no reference price.
realistic_full() {
	dir=$1
	"$bin/pr-features" -q --fit "$dir/s.json" --asof-col date --history "$dir/h.csv" \
		--key customer --cold-start population \
		--agg 'count,mean:bought,mean:bought?discount,mean:paid/list_price?bought' \
		--ref-price item=price --window 28 --ref-stat mean "$dir/h.csv" >"$dir/train.csv" &&
	"$bin/pr-train" -q --family logistic -o "$dir/m.json" -f 'bought ~ item +
		log(price * (1 - discount) / list_price) * (hist_mean_bought +
		    hist_mean_paid_per_list_price_if_bought + hist_mean_bought_if_discount) +
		log(price / ref_price) + pmax(log(price / ref_price), 0) +
		discount * (hist_mean_bought + hist_mean_bought_if_discount +
		    hist_mean_paid_per_list_price_if_bought)' "$dir/train.csv" >/dev/null &&
	realistic_price "$dir"
}

realistic_basic() {
	dir=$1
	"$bin/pr-features" -q --fit "$dir/s.json" --history "$dir/h.csv" --key customer \
		--agg count,mean:bought,mean:discount "$dir/h.csv" >"$dir/train.csv" &&
	"$bin/pr-train" -q --family logistic -o "$dir/m.json" -f 'bought ~ item +
		log(price * (1 - discount) / list_price) * hist_mean_bought +
		discount * hist_mean_bought' "$dir/train.csv" >/dev/null &&
	realistic_price "$dir"
}

realistic_price() {
	dir=$1
	"$bin/pr-features" -q --apply "$dir/s.json" "$dir/c.csv" >"$dir/cf.csv" &&
	"$bin/pr-optimize" -q -m "$dir/m.json" --cost cost --min-price min_p --max-price max_p \
		"$dir/cf.csv" >"$dir/p.csv" &&
	"$bin/pr-optimize" -q -m "$dir/m.json" --cost cost --min-price min_p --max-price max_p \
		--offers "$dir/o.csv" --promo-col discount "$dir/cf.csv" >"$dir/po.csv"
}
