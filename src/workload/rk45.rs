//! The explicit Runge–Kutta 5(4) of Dormand and Prince with scipy's `solve_ivp(method="RK45")`
//! step control: same tableau, same initial-step rule, same error norm and step factors, so
//! that a solve reproduces scipy's result to rounding (the document prints 0.9932 at k = 0.5).
//!
//! Written for one scalar equation, which is what the parameter sweep integrates.

const C: [f64; 6] = [0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0];
const A: [[f64; 5]; 6] = [
    [0.0, 0.0, 0.0, 0.0, 0.0],
    [1.0 / 5.0, 0.0, 0.0, 0.0, 0.0],
    [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0],
    [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0],
    [
        19372.0 / 6561.0,
        -25360.0 / 2187.0,
        64448.0 / 6561.0,
        -212.0 / 729.0,
        0.0,
    ],
    [
        9017.0 / 3168.0,
        -355.0 / 33.0,
        46732.0 / 5247.0,
        49.0 / 176.0,
        -5103.0 / 18656.0,
    ],
];
const B: [f64; 6] = [
    35.0 / 384.0,
    0.0,
    500.0 / 1113.0,
    125.0 / 192.0,
    -2187.0 / 6784.0,
    11.0 / 84.0,
];
const E: [f64; 7] = [
    -71.0 / 57600.0,
    0.0,
    71.0 / 16695.0,
    -71.0 / 1920.0,
    17253.0 / 339200.0,
    -22.0 / 525.0,
    1.0 / 40.0,
];
const SAFETY: f64 = 0.9;
const MIN_FACTOR: f64 = 0.2;
const MAX_FACTOR: f64 = 10.0;
/// The embedded error estimator is of order 4: the step factor goes as error^(−1/5).
const ERROR_EXPONENT: f64 = -1.0 / 5.0;

/// Tolerances and interval, as `solve_ivp` takes them.
#[derive(Clone, Copy, Debug)]
pub struct Problem {
    pub t0: f64,
    pub t_end: f64,
    pub y0: f64,
    pub rtol: f64,
    pub atol: f64,
}

/// What a solve produced.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Solution {
    pub y_end: f64,
    pub steps: usize,
    pub evaluations: usize,
}

/// scipy's `select_initial_step` for a scalar problem (Hairer, Nørsett & Wanner, II.4).
fn initial_step(
    f: &mut impl FnMut(f64, f64) -> f64,
    p: &Problem,
    f0: f64,
    evals: &mut usize,
) -> f64 {
    let interval = (p.t_end - p.t0).abs();
    let scale = p.atol + p.y0.abs() * p.rtol;
    let d0 = (p.y0 / scale).abs();
    let d1 = (f0 / scale).abs();
    let h0 = if d0 < 1e-5 || d1 < 1e-5 {
        1e-6
    } else {
        0.01 * d0 / d1
    };
    let h0 = h0.min(interval);
    let y1 = p.y0 + h0 * f0;
    let f1 = f(p.t0 + h0, y1);
    *evals += 1;
    let d2 = ((f1 - f0) / scale).abs() / h0;
    let h1 = if d1 <= 1e-15 && d2 <= 1e-15 {
        (h0 * 1e-3).max(1e-6)
    } else {
        (0.01 / d1.max(d2)).powf(1.0 / 5.0)
    };
    (100.0 * h0).min(h1).min(interval)
}

/// Integrates dy/dt = f(t, y) from `t0` to `t_end` (forward) and returns y(t_end).
pub fn solve(mut f: impl FnMut(f64, f64) -> f64, p: &Problem) -> Result<Solution, String> {
    if p.t_end.is_nan() || p.t0.is_nan() || p.t_end <= p.t0 {
        return Err("rk45: t_end must exceed t0".into());
    }
    let mut evals = 1;
    let (mut t, mut y) = (p.t0, p.y0);
    let mut fy = f(t, y);
    let mut h_abs = initial_step(&mut f, p, fy, &mut evals);
    let mut steps = 0;
    let mut k = [0.0f64; 7];
    while t < p.t_end {
        let min_step = 10.0 * (t.next_up() - t).abs();
        if h_abs < min_step {
            h_abs = min_step;
        }
        let mut rejected = false;
        loop {
            if h_abs < min_step {
                return Err(format!("rk45: step size underflow at t = {t}"));
            }
            let t_new = (t + h_abs).min(p.t_end);
            let h = t_new - t;
            h_abs = h.abs();
            // One Dormand–Prince step; K[6] is f at the new point (first-same-as-last).
            k[0] = fy;
            for s in 1..6 {
                let dy: f64 = (0..s).map(|j| k[j] * A[s][j]).sum::<f64>() * h;
                k[s] = f(t + C[s] * h, y + dy);
            }
            let y_new = y + h * (0..6).map(|j| k[j] * B[j]).sum::<f64>();
            let f_new = f(t + h, y_new);
            k[6] = f_new;
            evals += 6;
            let scale = p.atol + y.abs().max(y_new.abs()) * p.rtol;
            let err = ((0..7).map(|j| k[j] * E[j]).sum::<f64>() * h / scale).abs();
            if err < 1.0 {
                let mut factor = if err == 0.0 {
                    MAX_FACTOR
                } else {
                    MAX_FACTOR.min(SAFETY * err.powf(ERROR_EXPONENT))
                };
                if rejected {
                    factor = factor.min(1.0);
                }
                h_abs *= factor;
                t = t_new;
                y = y_new;
                fy = f_new;
                steps += 1;
                break;
            }
            h_abs *= MIN_FACTOR.max(SAFETY * err.powf(ERROR_EXPONENT));
            rejected = true;
        }
    }
    Ok(Solution {
        y_end: y,
        steps,
        evaluations: evals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decay(k: f64) -> Solution {
        let p = Problem {
            t0: 0.0,
            t_end: 10.0,
            y0: 1.0,
            rtol: 1e-3,
            atol: 1e-6,
        };
        solve(|_, c| -k * c, &p).unwrap()
    }

    /// scipy 1.17.1: `solve_ivp(lambda t, C: [-k*C[0]], [0, 10], [1.0])`, conversion
    /// 1 − y(10), number of output points minus one, and nfev.
    #[test]
    fn matches_scipy_solve_ivp() {
        let cases = [
            (0.01, 0.09516258192318794, 3, 20),
            (0.5, 0.9932460798377853, 7, 44),
            (1.0, 0.9999542768616618, 12, 74),
            (2.0, 0.9999999500766882, 17, 104),
        ];
        for (k, conversion, steps, nfev) in cases {
            let s = decay(k);
            assert!(
                ((1.0 - s.y_end) - conversion).abs() < 1e-14,
                "k = {k}: {} vs scipy {conversion}",
                1.0 - s.y_end
            );
            assert_eq!((s.steps, s.evaluations), (steps, nfev), "k = {k}");
        }
    }
}
