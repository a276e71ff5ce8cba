//! The moderated t-test behind `compare` for separate runs: each cell's rounds are a handful of
//! independent observations (log round medians), too few for a variance of their own to be
//! trusted, so each cell's variance is shrunk towards the one pooled over every compared cell
//! (empirical Bayes, as limma's moderated t; Smyth 2004). With 4 rounds a side a plain t-test
//! has 6 degrees of freedom and needs t ≈ 7 to pass Holm over 150 cells; borrowing the other
//! cells' degrees of freedom brings that near the normal's 3.8 while a cell whose own rounds
//! scatter widely keeps a wide variance.
//!
//! Everything works on logs of times, so a ratio's interval is symmetric on a log scale and a
//! cell's noise is relative, comparable between a 1 ms and a 1 s cell.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
use statrs::function::gamma::digamma;

/// Beyond this many degrees of freedom the t distribution is taken as the normal: they agree to
/// well under 0.1 % in every quantile used here, and statrs' inverse needs finite shapes.
const NORMAL_DF: f64 = 1e5;

/// P(T > t) for Student's t with `df` degrees of freedom (the normal for infinite `df`).
pub fn t_sf(t: f64, df: f64) -> f64 {
    if df >= NORMAL_DF {
        Normal::standard().sf(t)
    } else {
        StudentsT::new(0.0, 1.0, df).expect("df > 0").sf(t)
    }
}

/// The `p`-quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if df >= NORMAL_DF {
        Normal::standard().inverse_cdf(p)
    } else {
        StudentsT::new(0.0, 1.0, df).expect("df > 0").inverse_cdf(p)
    }
}

/// Two independent groups of log values (a cell's log round medians in two runs), summarised
/// for a t-test of the difference of their means.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TwoSample {
    /// mean(num) − mean(den): the log of the ratio.
    pub diff: f64,
    /// 1/n_num + 1/n_den: the variance of `diff` is this times the variance of one value.
    pub scale: f64,
    /// The pooled variance of one value around its group's mean; 0 with no degrees of freedom.
    pub s2: f64,
    /// n_num + n_den − 2.
    pub df: f64,
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn sum_sq(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum()
}

impl TwoSample {
    /// `None` when a group is empty.
    pub fn new(num: &[f64], den: &[f64]) -> Option<TwoSample> {
        if num.is_empty() || den.is_empty() {
            return None;
        }
        let df = (num.len() + den.len()) as f64 - 2.0;
        Some(TwoSample {
            diff: mean(num) - mean(den),
            scale: 1.0 / num.len() as f64 + 1.0 / den.len() as f64,
            s2: if df > 0.0 {
                (sum_sq(num) + sum_sq(den)) / df
            } else {
                0.0
            },
            df,
        })
    }

    /// The test and interval with the variance moderated by `prior`: s̃² = (d0·s0² + d·s²) /
    /// (d0 + d) on d0 + d degrees of freedom, but never below the cell's own s².
    pub fn moderated(&self, prior: &Prior) -> Estimate {
        let df = prior.d0 + self.df;
        let s2 = if df > 0.0 {
            // Never below the cell's own: a cell noisier than its neighbours keeps its noise
            // (pulling it down towards quiet cells is how moderation turns anti-conservative
            // when cells differ widely); a quieter one is pulled up, the protection wanted.
            ((prior.d0 * prior.s0_sq + self.df * self.s2) / df).max(self.s2)
        } else {
            0.0
        };
        Estimate::new(self.diff, (s2 * self.scale).sqrt(), df)
    }
}

/// The prior of the cells' variances: s² of a cell is taken as s0² · χ²(d0) / d0 before its
/// own rounds are seen. d0 = 0 leaves every cell on its own.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Prior {
    pub d0: f64,
    pub s0_sq: f64,
}

impl Prior {
    pub const NONE: Prior = Prior {
        d0: 0.0,
        s0_sq: 0.0,
    };

    /// limma's `fitFDist` without covariates: matches the mean and variance of log s² over the
    /// cells, after the part of that variance each cell's own χ² sampling explains, to a
    /// scaled inverse χ². `cells` are (s², df) pairs; those without degrees of freedom or with
    /// s² = 0 (identical rounds, nothing to learn the scale from) are left out.
    ///
    /// d0 is capped at the degrees of freedom of all the cells together: a prior learnt from
    /// them cannot carry more evidence than they hold, and with a few cells whose variances
    /// happen to agree an uncapped fit would give d0 = ∞ and judge a noisy cell by its quiet
    /// neighbours. Fewer than two cells give no prior.
    pub fn fit(cells: &[(f64, f64)]) -> Prior {
        let used: Vec<(f64, f64)> = cells
            .iter()
            .copied()
            .filter(|&(s2, df)| df > 0.0 && s2 > 0.0 && s2.is_finite())
            .collect();
        if used.len() < 2 {
            return Prior::NONE;
        }
        let n = used.len() as f64;
        let e: Vec<f64> = used
            .iter()
            .map(|&(s2, df)| s2.ln() - digamma(df / 2.0) + (df / 2.0).ln())
            .collect();
        let e_mean = mean(&e);
        let sampling = used.iter().map(|&(_, df)| trigamma(df / 2.0)).sum::<f64>() / n;
        let e_var = sum_sq(&e) / (n - 1.0) - sampling;
        let total_df: f64 = used.iter().map(|&(_, df)| df).sum();
        let d0 = if e_var > 0.0 {
            (2.0 * trigamma_inverse(e_var)).min(total_df)
        } else {
            total_df
        };
        Prior {
            d0,
            s0_sq: (e_mean + digamma(d0 / 2.0) - (d0 / 2.0).ln()).exp(),
        }
    }
}

/// A log ratio with its standard error, degrees of freedom, two-sided p-value of "no change"
/// and 95 % interval, all on the log scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub log_ratio: f64,
    pub se: f64,
    pub df: f64,
    pub p_value: f64,
    pub ci95: [f64; 2],
}

impl Estimate {
    pub fn new(log_ratio: f64, se: f64, df: f64) -> Estimate {
        if se <= 0.0 || df <= 0.0 || !se.is_finite() {
            // No spread to judge by (identical rounds): only an exact zero is "no change".
            let p_value = if log_ratio == 0.0 { 1.0 } else { 0.0 };
            return Estimate {
                log_ratio,
                se: 0.0,
                df,
                p_value,
                ci95: [log_ratio, log_ratio],
            };
        }
        let half = t_quantile(0.975, df) * se;
        Estimate {
            log_ratio,
            se,
            df,
            p_value: (2.0 * t_sf((log_ratio / se).abs(), df)).min(1.0),
            ci95: [log_ratio - half, log_ratio + half],
        }
    }

    /// `self` relative to `other` (a cell's ratio divided by the machine's): the difference of
    /// two independent estimates, their variances added, the degrees of freedom by
    /// Welch–Satterthwaite.
    pub fn relative_to(&self, other: &Estimate) -> Estimate {
        let v = self.se * self.se + other.se * other.se;
        let part = |e: &Estimate| {
            let v = e.se * e.se;
            if e.df > 0.0 { v * v / e.df } else { 0.0 }
        };
        let denom = part(self) + part(other);
        let df = if denom > 0.0 {
            v * v / denom
        } else {
            self.df.max(other.df)
        };
        Estimate::new(self.log_ratio - other.log_ratio, v.sqrt(), df)
    }

    /// The smallest log change this test would find with probability `power` at the two-sided
    /// level `alpha` (for Holm over m cells, α/m: the first step's level, conservative):
    /// (t₁₋α/₂ + t_power) · se. `None` without degrees of freedom.
    pub fn detectable(&self, alpha: f64, power: f64) -> Option<f64> {
        if self.df <= 0.0 {
            return None;
        }
        Some((t_quantile(1.0 - alpha / 2.0, self.df) + t_quantile(power, self.df)) * self.se)
    }
}

/// ψ′(x), x > 0: the recurrence ψ′(x) = ψ′(x + 1) + 1/x² up to x ≥ 10, then the asymptotic
/// series (relative error below 1e-13 there).
pub fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 10.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let y = 1.0 / (x * x);
    acc + 1.0 / x
        + y / 2.0
        + y / x
            * (1.0 / 6.0 - y * (1.0 / 30.0 - y * (1.0 / 42.0 - y * (1.0 / 30.0 - y * 5.0 / 66.0))))
}

/// ψ″(x), x > 0, the same way: ψ″(x) = ψ″(x + 1) − 2/x³.
fn tetragamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 10.0 {
        acc -= 2.0 / (x * x * x);
        x += 1.0;
    }
    let y = 1.0 / (x * x);
    acc - y - y / x - y * y * (0.5 - y * (1.0 / 6.0 - y * (1.0 / 6.0 - y * (0.3 - y * 5.0 / 6.0))))
}

/// The x > 0 with ψ′(x) = y: limma's Newton iteration, which converges from below for every y.
pub fn trigamma_inverse(y: f64) -> f64 {
    if y > 1e7 {
        return 1.0 / y.sqrt();
    }
    if y < 1e-6 {
        return 1.0 / y;
    }
    let mut x = 0.5 + 1.0 / y;
    for _ in 0..50 {
        let tri = trigamma(x);
        let step = tri * (1.0 - tri / y) / tetragamma(x);
        x += step;
        if -step / x < 1e-8 {
            break;
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300)
    }

    /// Closed forms (ψ′(1) = π²/6, ψ′(½) = π²/2, ψ′(3) = π²/6 − 5/4, ψ″(1) = −2ζ(3)), tables of
    /// t quantiles, and tail areas integrated numerically (Simpson, 2·10⁶ steps).
    #[test]
    fn special_functions_match_r() {
        assert!(close(
            trigamma(1.0),
            std::f64::consts::PI.powi(2) / 6.0,
            1e-12
        ));
        assert!(close(
            trigamma(0.5),
            std::f64::consts::PI.powi(2) / 2.0,
            1e-12
        ));
        assert!(close(trigamma(3.0), 0.394_934_066_848_226_4, 1e-12));
        // ψ″(1) = −2ζ(3).
        assert!(close(
            tetragamma(1.0),
            -2.0 * 1.202_056_903_159_594_3,
            1e-11
        ));
        for x in [0.05, 0.7, 2.5, 11.0, 300.0] {
            assert!(close(trigamma_inverse(trigamma(x)), x, 1e-7), "{x}");
        }
        assert!(close(t_quantile(0.975, 6.0), 2.446_911_848_791_681, 1e-9));
        assert!(close(t_quantile(0.975, 1e6), 1.959_963_984_540_054, 1e-6));
        assert!(close(2.0 * t_sf(3.0, 10.0), 0.013_343_655_022_564, 1e-8));
    }

    #[test]
    fn a_two_sample_t_test_matches_the_textbook() {
        // Welch-free pooled t: x̄ − ȳ = 1, pooled s² = (2 + 2) / 4 = 1, se = √(1/3 + 1/3).
        let t = TwoSample::new(&[2.0, 3.0, 4.0], &[1.0, 2.0, 3.0]).unwrap();
        assert_eq!((t.diff, t.s2, t.df), (1.0, 1.0, 4.0));
        let e = t.moderated(&Prior::NONE);
        assert!(close(e.se, (2.0f64 / 3.0).sqrt(), 1e-12));
        // t = 1.2247 on 4 df; the tail area integrated numerically.
        assert!(
            close(e.p_value, 0.287_864_134_722_955, 1e-9),
            "{}",
            e.p_value
        );
        assert!(TwoSample::new(&[], &[1.0]).is_none());
        // One value a side: no degrees of freedom, nothing to test with alone.
        assert_eq!(TwoSample::new(&[1.0], &[2.0]).unwrap().df, 0.0);
    }

    /// Variances drawn as s0² χ²(d0)/d0 per cell, then each cell's s² as that times χ²(d)/d:
    /// the fit finds s0² and a d0 of the right size, and capped by the cells' total df.
    #[test]
    fn the_prior_recovers_the_spread_of_the_variances() {
        use rand::SeedableRng;
        use rand_distr::{ChiSquared, Distribution};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let (d0, s0_sq, d) = (8.0, 0.03f64.powi(2), 6.0);
        let prior_chi = ChiSquared::new(d0).unwrap();
        let own_chi = ChiSquared::new(d).unwrap();
        let cells: Vec<(f64, f64)> = (0..2000)
            .map(|_| {
                let sigma2 = s0_sq * d0 / prior_chi.sample(&mut rng);
                (sigma2 * own_chi.sample(&mut rng) / d, d)
            })
            .collect();
        let p = Prior::fit(&cells);
        assert!(p.d0 > 6.0 && p.d0 < 11.0, "{p:?}");
        assert!(close(p.s0_sq, s0_sq, 0.1), "{p:?}");
        // Cells that share one variance: d0 as large as the cells' evidence allows.
        let same: Vec<(f64, f64)> = (0..20)
            .map(|_| (s0_sq * own_chi.sample(&mut rng) / d, d))
            .collect();
        let p = Prior::fit(&same);
        assert!(p.d0 > 20.0 && p.d0 <= 120.0, "{p:?}");
        assert_eq!(Prior::fit(&[(0.01, 6.0)]), Prior::NONE);
        assert_eq!(Prior::fit(&[(0.0, 6.0), (0.0, 6.0)]), Prior::NONE);
    }

    #[test]
    fn moderation_pulls_a_variance_towards_the_prior() {
        let t = TwoSample::new(&[0.10, 0.1001, 0.0999], &[0.0, 0.0001, -0.0001]).unwrap();
        let alone = t.moderated(&Prior::NONE);
        let shrunk = t.moderated(&Prior {
            d0: 40.0,
            s0_sq: 0.05f64.powi(2),
        });
        // A tiny own variance no longer makes a tiny standard error...
        assert!(shrunk.se > 10.0 * alone.se, "{alone:?} {shrunk:?}");
        // ...but the borrowed degrees of freedom narrow the t quantile.
        assert_eq!(shrunk.df, 44.0);
        let wide = shrunk.relative_to(&Estimate::new(0.0, shrunk.se, 44.0));
        assert!(
            wide.se > shrunk.se && wide.df > 44.0 && wide.df <= 88.0,
            "{wide:?}"
        );
    }

    #[test]
    fn the_detectable_change_grows_with_the_noise_and_the_family() {
        let e = Estimate::new(0.0, 0.02, 30.0);
        let one = e.detectable(0.05, 0.8).unwrap();
        // z-approximation: (1.96 + 0.84) · 0.02 ≈ 0.056; t with 30 df a little wider.
        assert!(one > 0.056 && one < 0.06, "{one}");
        let many = e.detectable(0.05 / 150.0, 0.8).unwrap();
        assert!(many > 1.6 * one, "{many} vs {one}");
        assert!(Estimate::new(0.1, 0.0, 0.0).detectable(0.05, 0.8).is_none());
        assert_eq!(Estimate::new(0.0, 0.0, 4.0).p_value, 1.0);
    }
}
