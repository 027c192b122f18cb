//! Keeping the idle console small: the allocator gives freed memory back to the system.
//!
//! glibc's malloc keeps freed pages of its arenas and raises its mmap threshold after large
//! frees, so a burst of work (the start-up key check and plan, a cluster listing) leaves the
//! process holding pages it no longer uses. The console fixes the threshold at start and asks
//! for a trim after such bursts and on a slow timer. Other C libraries: nothing to do.

/// Called once, before the runtime starts, by the interactive console only.
pub fn tune_for_idle() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; it is called before any other thread
    // exists, and both values are within glibc's documented ranges.
    unsafe {
        // A fixed threshold: large buffers (screen buffers, listings) are mapped and unmapped
        // on their own instead of staying in an arena after they are freed.
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        // One arena per core at most: the console runs on two threads.
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Return the free pages of every arena to the system. Cheap on a small heap; call it after a
/// burst of work, not in a hot loop.
pub fn release_free() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim is thread-safe (it takes each arena's lock) and has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn trimming_after_a_burst_keeps_the_heap_usable() {
        super::tune_for_idle();
        let burst: Vec<Vec<u8>> = (0..64).map(|i| vec![i as u8; 64 * 1024]).collect();
        let sum: usize = burst.iter().map(|v| v[0] as usize).sum();
        drop(burst);
        super::release_free();
        let again = vec![7u8; 256 * 1024];
        assert_eq!(sum, (0..64).sum::<usize>());
        assert_eq!(
            again.iter().map(|&b| b as usize).sum::<usize>(),
            7 * 256 * 1024
        );
    }
}
