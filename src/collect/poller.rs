//! Generic polling: one task per target, so at most one request is in flight per target and a
//! hung target never delays another. Jittered interval; exponential backoff on failure (up to
//! 8× the interval).
//!
//! Targets can change while the poller runs ([`Poller::set_targets`]): a new key starts its own
//! task, a vanished key stops, and a changed target (new credentials, new endpoint) is handed to
//! the running task without restarting it — its next round uses the new target and starts as
//! soon as the current round (if any) ends. [`Refresh::now`] wakes every target of every poller
//! sharing it ("refresh now"); a busy target picks the wake-up up when its current round ends,
//! never starting a second request beside it.

use futures::future::BoxFuture;
use rand::Rng;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// One round of work for a target: its result and whether it succeeded (for backoff).
pub type Job<K, T, O> = Arc<dyn Fn(K, T) -> BoxFuture<'static, (O, bool)> + Send + Sync>;

/// "Refresh now" for every poller that shares it.
#[derive(Clone)]
pub struct Refresh(Arc<watch::Sender<u64>>, Arc<watch::Sender<Rounds>>);

/// Rounds finished per refresh generation (the generation current when the round started).
type Rounds = BTreeMap<u64, usize>;

impl Default for Refresh {
    fn default() -> Self {
        Refresh(
            Arc::new(watch::Sender::new(0)),
            Arc::new(watch::Sender::new(Rounds::new())),
        )
    }
}

impl Refresh {
    /// Wake every target now (a busy one starts its next round as soon as this one ends).
    pub fn now(&self) {
        self.0.send_modify(|g| *g = g.wrapping_add(1));
    }

    /// Wake every target and wait (at most `max`) until each has finished a round that started
    /// after the wake-up, so "check all" ends when the probes have answered, not when they
    /// were asked. Returns whether every target finished in time.
    pub async fn now_and_wait(&self, max: Duration) -> bool {
        let targets = self.0.receiver_count();
        let mut done = self.1.subscribe();
        self.now();
        let generation = *self.0.borrow();
        let finished = async {
            done.wait_for(|r| r.get(&generation).copied().unwrap_or(0) >= targets)
                .await
                .is_ok()
        };
        tokio::time::timeout(max, finished).await.unwrap_or(false)
    }

    fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }

    /// A round that started at `generation` ended.
    fn finished(&self, generation: u64) {
        self.1.send_modify(|r| {
            *r.entry(generation).or_default() += 1;
            // Only the latest few generations can still be waited for.
            while r.len() > 8 {
                r.pop_first();
            }
        });
    }
}

/// The delay before the next round: the interval ±20 % jitter, doubled per consecutive failure.
pub fn next_delay(interval: Duration, failures: u32, jitter: f64) -> Duration {
    let factor = 2f64.powi(failures.min(3) as i32);
    let j = 1.0 + (jitter.clamp(-1.0, 1.0) * 0.2);
    interval.mul_f64(factor * j)
}

struct Polled<T> {
    target: watch::Sender<T>,
    task: JoinHandle<()>,
}

/// The running targets of one kind of job. Dropping it stops them.
pub struct Poller<K: Ord, T, O> {
    interval: Duration,
    job: Job<K, T, O>,
    tx: mpsc::Sender<O>,
    refresh: Refresh,
    targets: BTreeMap<K, Polled<T>>,
}

impl<K: Ord, T, O> Drop for Poller<K, T, O> {
    fn drop(&mut self) {
        for p in self.targets.values() {
            p.task.abort();
        }
    }
}

impl<K, T, O> Poller<K, T, O>
where
    K: Ord + Clone + Send + Sync + 'static,
    T: Clone + PartialEq + Send + Sync + 'static,
    O: Send + 'static,
{
    /// A poller with no target yet; results go to `tx`.
    pub fn new(
        interval: Duration,
        refresh: Refresh,
        job: Job<K, T, O>,
        tx: mpsc::Sender<O>,
    ) -> Self {
        Poller {
            interval,
            job,
            tx,
            refresh,
            targets: BTreeMap::new(),
        }
    }

    /// Make the polled set equal to `targets`: start new keys (their first round at once, all
    /// concurrently), stop vanished ones, hand changed targets to their running task. Returns
    /// the keys that were stopped.
    pub fn set_targets(&mut self, targets: Vec<(K, T)>) -> Vec<K> {
        let mut wanted: BTreeMap<K, T> = targets.into_iter().collect();
        let gone: Vec<K> = self
            .targets
            .keys()
            .filter(|k| !wanted.contains_key(*k))
            .cloned()
            .collect();
        for k in &gone {
            if let Some(p) = self.targets.remove(k) {
                p.task.abort();
            }
        }
        for (k, p) in &self.targets {
            if let Some(t) = wanted.remove(k) {
                p.target.send_if_modified(|cur| {
                    let changed = *cur != t;
                    if changed {
                        *cur = t;
                    }
                    changed
                });
            }
        }
        for (k, t) in wanted {
            let (target, rx) = watch::channel(t);
            let task = tokio::spawn(poll_one(
                k.clone(),
                rx,
                self.refresh.clone(),
                self.job.clone(),
                self.interval,
                self.tx.clone(),
            ));
            self.targets.insert(k, Polled { target, task });
        }
        gone
    }

    /// How many targets are polled.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }
}

async fn poll_one<K, T, O>(
    key: K,
    mut target: watch::Receiver<T>,
    rounds: Refresh,
    job: Job<K, T, O>,
    interval: Duration,
    tx: mpsc::Sender<O>,
) where
    K: Clone,
    T: Clone,
{
    let mut refresh = rounds.subscribe();
    refresh.mark_unchanged();
    let mut failures = 0u32;
    loop {
        let generation = *refresh.borrow_and_update();
        let t = target.borrow_and_update().clone();
        let (out, ok) = job(key.clone(), t).await;
        failures = if ok { 0 } else { failures + 1 };
        if tx.send(out).await.is_err() {
            return;
        }
        rounds.finished(generation);
        let jitter = rand::rng().random_range(-1.0..1.0);
        tokio::select! {
            _ = tokio::time::sleep(next_delay(interval, failures, jitter)) => {}
            Ok(()) = refresh.changed() => {}
            Ok(()) = target.changed() => failures = 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn backoff_and_jitter_bounds() {
        let i = Duration::from_secs(10);
        assert_eq!(next_delay(i, 0, 0.0), i);
        assert_eq!(next_delay(i, 2, 0.0), Duration::from_secs(40));
        assert_eq!(next_delay(i, 9, 0.0), Duration::from_secs(80));
        assert_eq!(next_delay(i, 0, 1.0), Duration::from_secs(12));
        assert_eq!(next_delay(i, 0, -1.0), Duration::from_secs(8));
    }

    #[tokio::test(start_paused = true)]
    async fn a_hung_target_does_not_delay_others_and_never_overlaps() {
        let in_flight = Arc::new(AtomicU32::new(0));
        let max_seen = Arc::new(AtomicU32::new(0));
        let (inf, max) = (in_flight.clone(), max_seen.clone());
        let job: Job<&'static str, (), (&'static str, &'static str)> = Arc::new(move |key, ()| {
            let (inf, max) = (inf.clone(), max.clone());
            Box::pin(async move {
                if key == "b" {
                    return ((key, "fast"), true);
                }
                let n = inf.fetch_add(1, Ordering::SeqCst) + 1;
                max.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(3600)).await;
                inf.fetch_sub(1, Ordering::SeqCst);
                ((key, "hung"), false)
            })
        });
        let (tx, mut rx) = mpsc::channel(16);
        let refresh = Refresh::default();
        let mut p = Poller::new(Duration::from_secs(1), refresh.clone(), job, tx);
        p.set_targets(vec![("a", ()), ("b", ())]);
        for _ in 0..3 {
            assert_eq!(rx.recv().await.unwrap(), ("b", "fast"));
            refresh.now();
        }
        assert_eq!(max_seen.load(Ordering::SeqCst), 1);
    }

    /// Issue 7: "check all" ends when every target has answered a round started by it.
    #[tokio::test(start_paused = true)]
    async fn now_and_wait_returns_when_every_target_finished_a_new_round() {
        let job: Job<&'static str, u64, &'static str> = Arc::new(move |key, secs| {
            Box::pin(async move {
                tokio::time::sleep(Duration::from_secs(secs)).await;
                (key, true)
            })
        });
        let (tx, mut rx) = mpsc::channel(16);
        let refresh = Refresh::default();
        let mut p = Poller::new(Duration::from_secs(3600), refresh.clone(), job, tx);
        p.set_targets(vec![("fast", 1), ("slow", 30)]);
        tokio::spawn(async move { while rx.recv().await.is_some() {} });
        tokio::time::sleep(Duration::from_secs(100)).await;
        let started = tokio::time::Instant::now();
        assert!(refresh.now_and_wait(Duration::from_secs(300)).await);
        // Not before the slow target's new round (30 s) ended.
        assert!(started.elapsed() >= Duration::from_secs(30));
        // A target that never finishes makes the wait time out (and say so).
        p.set_targets(vec![("fast", 1), ("hung", 100_000)]);
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(!refresh.now_and_wait(Duration::from_secs(60)).await);
    }

    #[tokio::test(start_paused = true)]
    async fn a_changed_target_reaches_the_running_task_without_a_restart() {
        let starts = Arc::new(AtomicU32::new(0));
        let s = starts.clone();
        // The job echoes the target it was given.
        let job: Job<&'static str, u32, (&'static str, u32)> = Arc::new(move |key, t| {
            s.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move { ((key, t), true) })
        });
        let (tx, mut rx) = mpsc::channel(16);
        let mut p = Poller::new(Duration::from_secs(3600), Refresh::default(), job, tx);
        p.set_targets(vec![("a", 1), ("b", 1)]);
        let mut first: Vec<_> = vec![rx.recv().await.unwrap(), rx.recv().await.unwrap()];
        first.sort();
        assert_eq!(first, [("a", 1), ("b", 1)]);
        // Same targets: nothing happens (the interval is an hour).
        assert!(p.set_targets(vec![("a", 1), ("b", 1)]).is_empty());
        // `a` changes: its next round starts at once with the new target; `b` is dropped.
        assert_eq!(p.set_targets(vec![("a", 2)]), vec!["b"]);
        assert_eq!(rx.recv().await.unwrap(), ("a", 2));
        assert_eq!(p.len(), 1);
        assert_eq!(starts.load(Ordering::SeqCst), 3);
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert!(rx.try_recv().is_err(), "no round without a reason");
    }
}
