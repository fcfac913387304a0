//! Laws of the executor's scheduler on generated plans: no run starts before every run in its
//! `after` succeeded, `-j` and pool occupancy never exceed their limits, and every run ends in
//! exactly one final state, whatever the outcomes, retries and failure policy.

use dagplan::run::{Final, Scheduler};
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Case {
    after: Vec<Vec<usize>>,
    pools: Vec<Vec<usize>>,
    limits: Vec<Option<usize>>,
    jobs: usize,
    /// Per run: attempts that fail before one succeeds (`None`: it always fails).
    fails: Vec<Option<u8>>,
    retries: u8,
    stop_on_failure: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..40, 1usize..5, 0usize..3).prop_flat_map(|(n, jobs, npools)| {
        let after = (0..n)
            .map(|i| if i == 0 { Just(vec![]).boxed() } else { proptest::collection::vec(0..i, 0..3).boxed() })
            .collect::<Vec<_>>();
        let pools = proptest::collection::vec(proptest::collection::vec(0..npools.max(1), 0..=npools.min(2)), n);
        let limits = proptest::collection::vec(proptest::option::of(1usize..3), npools.max(1));
        let fails = proptest::collection::vec(proptest::option::weighted(0.85, 0u8..3), n);
        (after, pools, limits, Just(jobs), fails, 0u8..3, any::<bool>()).prop_map(
            |(after, pools, limits, jobs, fails, retries, stop_on_failure)| {
                let pools = pools.into_iter().map(|mut p| {
                    p.sort();
                    p.dedup();
                    p
                });
                Case { after, pools: pools.collect(), limits, jobs, fails, retries, stop_on_failure }
            },
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("DAGPLAN_PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(300)
    ))]

    #[test]
    fn scheduling_laws_hold(c in case(), picks in proptest::collection::vec(any::<u16>(), 200)) {
        let n = c.after.len();
        let mut s = Scheduler::new(&c.after, c.pools.clone(), c.limits.clone(), c.jobs);
        let mut running: Vec<usize> = Vec::new();
        let mut backoff: Vec<usize> = Vec::new();
        let mut attempts = vec![0u8; n];
        let mut succeeded = vec![false; n];
        let mut ended = vec![0u32; n];
        let mut step = 0usize;
        loop {
            while let Some(i) = s.start_next() {
                prop_assert!(c.after[i].iter().all(|&a| succeeded[a]), "run {i} started before its after");
                running.push(i);
                attempts[i] += 1;
                prop_assert!(running.len() <= c.jobs);
                for (p, limit) in c.limits.iter().enumerate() {
                    let used = running.iter().filter(|&&r| c.pools[r].contains(&p)).count();
                    prop_assert!(limit.is_none_or(|l| used <= l), "pool {p} over its limit");
                }
            }
            if running.is_empty() {
                match backoff.pop() {
                    Some(i) => { s.retry_now(i); continue; }
                    None => break,
                }
            }
            let pick = picks[step % picks.len()] as usize;
            step += 1;
            let i = running.swap_remove(pick % running.len());
            let ok = c.fails[i].is_some_and(|f| attempts[i] > f);
            if ok {
                succeeded[i] = true;
                ended[i] += 1;
                s.finish(i, Final::Succeeded);
            } else if attempts[i] <= c.retries && !s.is_stopped() {
                s.retry_later(i);
                backoff.push(i);
            } else {
                ended[i] += 1;
                s.finish(i, Final::Failed);
                if c.stop_on_failure {
                    s.stop();
                    for b in backoff.drain(..) {
                        ended[b] += 1;
                        s.finish(b, Final::Failed);
                    }
                }
            }
        }
        prop_assert!(s.is_done());
        let finals = s.finals();
        for i in 0..n {
            prop_assert!(ended[i] <= 1, "run {i} ended twice");
            match finals[i] {
                Final::Succeeded => prop_assert!(succeeded[i]),
                Final::Failed => prop_assert!(attempts[i] >= 1 && !succeeded[i]),
                Final::UpstreamFailed => {
                    prop_assert_eq!(attempts[i], 0);
                    prop_assert!(c.after[i].iter().any(|&a| matches!(finals[a], Final::Failed | Final::UpstreamFailed)));
                }
                Final::NotStarted => {
                    prop_assert_eq!(attempts[i], 0);
                    prop_assert!(s.is_stopped(), "run {i} never started though nothing stopped");
                }
                Final::Cancelled => prop_assert!(false, "nothing was cancelled"),
            }
        }
    }
}
