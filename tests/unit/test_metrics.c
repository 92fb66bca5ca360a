/*
 * test_metrics.c - common/metrics on small inputs with closed forms (the
 * figures against R on a whole scored file are in test_report.c, from
 * report-metrics.R).
 */
#include "check.h"
#include "metrics.h"

int
main(void)
{
	static const double p[] = { 0.1, 0.4, 0.35, 0.8 };
	static const double y[] = { 0, 0, 1, 1 };
	static const double pt[] = { 0.5, 0.5, 0.5, 0.2 };
	static const double yt[] = { 1, 0, 1, 0 };
	static const double ones[] = { 1, 1 };

	/* Pairs (pos, neg): (0.35,0.1) yes, (0.35,0.4) no, (0.8,*) yes: 3 of 4. */
	CHECK_REL(metrics_auc(y, p, 4), 0.75, 1e-15, "auc of the classic four points");
	/* Positives 0.5, 0.5 against negatives 0.5 (half each) and 0.2 (win each): 3 of 4. */
	CHECK_REL(metrics_auc(yt, pt, 4), 0.75, 1e-15, "auc with ties counts one half");
	CHECK(isnan(metrics_auc(ones, pt, 2)), "auc with one class is undefined");
	CHECK_REL(metrics_brier(y, p, 4), (0.01 + 0.16 + 0.4225 + 0.04) / 4, 1e-15, "brier");
	CHECK(metrics_log_loss(y, p, 4) == -(log1p(-0.1) + log1p(-0.4) + log(0.35) + log(0.8)) / 4,
	    "log loss: -log p or -log1p(-p) for a 0/1 response");
	{
		static const double certain[] = { 1.0, 0.0 }, wrong[] = { 0, 1 };
		CHECK_REL(metrics_log_loss(wrong, certain, 2), -log(1e-15), 1e-3,
		    "log loss clips p to 1e-15");
		/* a proportion 0.25 predicted 0.5: -(0.25 log 0.5 + 0.75 log 0.5) = log 2 */
		static const double share[] = { 0.25 }, half[] = { 0.5 };
		CHECK_REL(metrics_log_loss(share, half, 1), log(2), 1e-15, "log loss of a proportion");
	}
	CHECK_REL(metrics_accuracy(y, p, 4), 0.75, 0, "accuracy: all but 0.35 are on the right side");
	CHECK(isnan(metrics_log_loss(y, p, 0)) && isnan(metrics_brier(y, p, 0)) &&
	    isnan(metrics_rmse(y, p, 0)), "no rows: NaN");
	{
		/* y 1 2 3 4 against 1 2 3 5: SSE 1, SAE 1, SST 5 */
		static const double yl[] = { 1, 2, 3, 4 }, pl[] = { 1, 2, 3, 5 };
		CHECK_REL(metrics_rmse(yl, pl, 4), 0.5, 1e-15, "rmse sqrt(1/4)");
		CHECK_REL(metrics_mae(yl, pl, 4), 0.25, 1e-15, "mae 1/4");
		CHECK_REL(metrics_r2(yl, pl, 4), 0.8, 1e-15, "r2 1 - 1/5");
		CHECK(isnan(metrics_r2(ones, ones, 2)), "r2 of a constant response is undefined");
	}
	{
		/* Poisson: y 0 and 2 at mu 1: 2 (0 - (0 - 1)) + 2 (2 log 2 - 1) = 4 log 2 */
		static const double yc[] = { 0, 2 }, mu[] = { 1, 1 };
		CHECK_REL(metrics_poisson_deviance(yc, mu, 2), 4 * log(2), 1e-15, "poisson deviance");
	}
	return check_done();
}
