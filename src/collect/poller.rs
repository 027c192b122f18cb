//! Generic polling: one task per target, so at most one request is in flight per target and a
//! hung target never delays another. Jittered interval; exponential backoff on failure (up to
//! 8× the interval); `refresh` wakes every target at once ("refresh now"), without ever starting
//! a second request for a target that is still busy.

use futures::future::BoxFuture;
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;

/// One round of work for a target; returns its result and whether it succeeded (for backoff).
pub type Job<T> = Arc<dyn Fn() -> BoxFuture<'static, (T, bool)> + Send + Sync>;

/// Handles of running pollers; dropping it stops them.
pub struct Pollers {
    tasks: Vec<JoinHandle<()>>,
    pub refresh: Arc<Notify>,
}

impl Drop for Pollers {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The delay before the next round: the interval ±20 % jitter, doubled per consecutive failure.
pub fn next_delay(interval: Duration, failures: u32, jitter: f64) -> Duration {
    let factor = 2f64.powi(failures.min(3) as i32);
    let j = 1.0 + (jitter.clamp(-1.0, 1.0) * 0.2);
    interval.mul_f64(factor * j)
}

/// Start one polling task per `(key, job)`. Results go to `tx` as `(key, T)`. The first round of
/// every target starts immediately and concurrently.
pub fn spawn<K, T>(jobs: Vec<(K, Job<T>)>, interval: Duration, tx: mpsc::Sender<(K, T)>) -> Pollers
where
    K: Clone + Send + 'static,
    T: Send + 'static,
{
    let refresh = Arc::new(Notify::new());
    let tasks = jobs
        .into_iter()
        .map(|(key, job)| {
            let tx = tx.clone();
            let refresh = refresh.clone();
            tokio::spawn(async move {
                let mut failures = 0u32;
                loop {
                    let (out, ok) = job().await;
                    failures = if ok { 0 } else { failures + 1 };
                    if tx.send((key.clone(), out)).await.is_err() {
                        return;
                    }
                    let jitter = rand::rng().random_range(-1.0..1.0);
                    tokio::select! {
                        _ = tokio::time::sleep(next_delay(interval, failures, jitter)) => {}
                        _ = refresh.notified() => {}
                    }
                }
            })
        })
        .collect();
    Pollers { tasks, refresh }
}

impl Pollers {
    /// Wake every target now (a busy one picks it up when its current round ends).
    pub fn refresh_now(&self) {
        self.refresh.notify_waiters();
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
        let hung: Job<&'static str> = Arc::new(move || {
            let (inf, max) = (inf.clone(), max.clone());
            Box::pin(async move {
                let n = inf.fetch_add(1, Ordering::SeqCst) + 1;
                max.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(3600)).await;
                inf.fetch_sub(1, Ordering::SeqCst);
                ("hung", false)
            })
        });
        let fast: Job<&'static str> = Arc::new(|| Box::pin(async { ("fast", true) }));
        let (tx, mut rx) = mpsc::channel(16);
        let p = spawn(vec![("a", hung), ("b", fast)], Duration::from_secs(1), tx);
        for _ in 0..3 {
            let (k, v) = rx.recv().await.unwrap();
            assert_eq!((k, v), ("b", "fast"));
            p.refresh_now();
        }
        assert_eq!(max_seen.load(Ordering::SeqCst), 1);
    }
}
