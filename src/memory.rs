//! Giving freed memory back to the system between phases.
//!
//! A phase that frees many small allocations (token ids, a corpus's spellings) leaves glibc's
//! heaps holding the pages, and the next phase's allocations land on top of them, so the
//! resident peak counts both. Trimming between phases keeps the peak to what is live.

/// Returns the allocator's free pages to the system (glibc only; elsewhere nothing). Takes a
/// few milliseconds.
pub fn return_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            /// glibc: releases free memory at the top of the heap and free whole pages inside
            /// every arena; `pad` is the slack to keep. Always safe to call.
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: malloc_trim takes no pointers and only touches the allocator's own state,
        // which it locks.
        unsafe {
            malloc_trim(0);
        }
    }
}
