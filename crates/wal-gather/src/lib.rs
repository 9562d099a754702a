//! A SQLite VFS that writes a commit's WAL frames with one `write` call instead of two per
//! frame.
//!
//! SQLite appends each frame of a commit to the write-ahead log as two writes, the 24-byte
//! frame header and then the page. Under a stream of hotline calls the incident desk commits
//! ~14 frames a batch, so ~28 `pwrite`s, and the kernel's write path (per call: the file lock,
//! the times, the page-cache lookups of the pages each unaligned piece touches) was 8% of all
//! the server's CPU and a third of each batch's time. This VFS is the default one with WAL
//! files wrapped: contiguous writes are gathered in memory and written as one, and they are
//! always written before the commit they belong to can be seen.
//!
//! When the gathered bytes reach the file (the rules that keep readers and recovery right):
//! - a commit's last frame is the one whose header carries the database size (bytes 4-7 not
//!   zero). When that header is written, everything gathered so far goes out with it, and the
//!   page that follows goes straight to the file. SQLite publishes a commit (the wal-index
//!   header other connections read) only after those writes return, so no reader can look
//!   for a frame that is still in memory;
//! - a write that does not continue the gathered bytes, or would take them past
//!   `GATHER_LIMIT` (120 KiB), writes them out first;
//! - every other operation on the log (read, size, truncate, sync, file control, close) writes
//!   them out first, so the file is what SQLite believes it wrote.
//!
//! Bytes still in memory when the process dies belong to a transaction that had not
//! committed, which recovery discards anyway. Nothing changes about durability: with
//! `synchronous = NORMAL` a commit is not synced to disk in either case. The database file
//! itself and every other file are the default VFS's own, untouched.

use std::ffi::{CStr, c_int, c_void};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::ffi;

/// The name connections open the VFS by.
pub const NAME: &str = match C_NAME.to_str() {
    Ok(name) => name,
    Err(_) => panic!("the VFS's name is UTF-8"),
};
const C_NAME: &CStr = c"switchboard-wal";

/// The most bytes gathered into one write: the unix VFS writes at most 128 KiB - 1 bytes a
/// call (it masks the length), so a commit of more than 29 frames of 4 KiB goes out in
/// several writes.
const GATHER_LIMIT: usize = 120 * 1024;

/// The size of a WAL frame header; every 24-byte write to a log is one.
const FRAME_HEADER: usize = 24;

/// Write calls the logs have made to the default VFS, in this process.
static LOG_WRITES: AtomicU64 = AtomicU64::new(0);

/// How many write calls this process's logs have made to the default VFS (each gathered run
/// of frames is one).
pub fn log_writes() -> u64 {
    LOG_WRITES.load(Ordering::Relaxed)
}

/// Registers the VFS (once per process; not as the default) and returns its name, or why it
/// could not be registered.
pub fn register() -> Result<&'static str, String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        // SAFETY: once per process, before any connection opens the VFS by name.
        .get_or_init(|| unsafe { register_once() })
        .clone()
        .map(|()| NAME)
}

unsafe fn register_once() -> Result<(), String> {
    // SAFETY: sqlite3_vfs_find is safe to call at any time; the default VFS lives as long as
    // the process.
    let inner = unsafe { ffi::sqlite3_vfs_find(std::ptr::null()) };
    if inner.is_null() {
        return Err("SQLite has no default VFS".to_string());
    }
    // SAFETY: `inner` points to a valid, registered VFS.
    let mut vfs: ffi::sqlite3_vfs = unsafe { std::ptr::read(inner) };
    vfs.pNext = std::ptr::null_mut();
    vfs.zName = C_NAME.as_ptr();
    vfs.pAppData = inner.cast::<c_void>();
    // Room for the wrapper in front of the default VFS's own file.
    // SAFETY: `inner` is valid (above).
    let inner_size = unsafe { (*inner).szOsFile };
    vfs.szOsFile = std::mem::size_of::<WalFile>() as c_int + inner_size;
    vfs.xOpen = Some(open);
    // The other methods are the default VFS's, which ignore the VFS they are handed (unix's
    // all do; xOpen, the one that reads it, is wrapped above).
    let vfs: &'static mut ffi::sqlite3_vfs = Box::leak(Box::new(vfs));
    // SAFETY: `vfs` is complete and lives forever; not made the default.
    let rc = unsafe { ffi::sqlite3_vfs_register(vfs, 0) };
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(format!("cannot register the SQLite VFS (error {rc})"))
    }
}

/// A WAL file: the wrapper's methods, the default VFS's file after it, and what is gathered.
#[repr(C)]
struct WalFile {
    base: ffi::sqlite3_file,
    inner: *mut ffi::sqlite3_file,
    gathered: *mut Gathered,
}

struct Gathered {
    bytes: Vec<u8>,
    /// The file offset of `bytes[0]`.
    start: i64,
    /// The page of a commit's last frame: written at once, not gathered.
    write_next_through: bool,
}

unsafe extern "C" fn open(
    vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    // SAFETY: `vfs` is ours, whose pAppData is the default VFS (set at registration). SQLite hands a block of our szOsFile bytes; the default VFS gets the part it
    // asked for, at the start (any file but a log: then `file` is simply its file) or after
    // the wrapper (a log).
    unsafe {
        let inner = (*vfs).pAppData.cast::<ffi::sqlite3_vfs>();
        let xopen = (*inner).xOpen.expect("the default VFS opens files");
        if flags & ffi::SQLITE_OPEN_WAL == 0 {
            return xopen(inner, name, file, flags, out_flags);
        }
        let wal = file.cast::<WalFile>();
        let inner_file = file
            .cast::<u8>()
            .add(std::mem::size_of::<WalFile>())
            .cast::<ffi::sqlite3_file>();
        (*wal).base.pMethods = std::ptr::null();
        let rc = xopen(inner, name, inner_file, flags, out_flags);
        if rc != ffi::SQLITE_OK {
            return rc;
        }
        (*wal).inner = inner_file;
        (*wal).gathered = Box::into_raw(Box::new(Gathered {
            bytes: Vec::new(),
            start: 0,
            write_next_through: false,
        }));
        (*wal).base.pMethods = &WAL_METHODS;
    }
    ffi::SQLITE_OK
}

/// The default VFS's method `$m` of the file under `$file`.
macro_rules! inner_method {
    ($file:expr, $m:ident) => {{
        let inner = (*$file.cast::<WalFile>()).inner;
        (
            (*(*inner).pMethods)
                .$m
                .expect(concat!("the default VFS has ", stringify!($m))),
            inner,
        )
    }};
}

/// Writes out what `file` has gathered.
unsafe fn flush(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: `file` is an open WalFile.
    unsafe {
        let gathered = &mut *(*file.cast::<WalFile>()).gathered;
        if gathered.bytes.is_empty() {
            return ffi::SQLITE_OK;
        }
        let (xwrite, inner) = inner_method!(file, xWrite);
        LOG_WRITES.fetch_add(1, Ordering::Relaxed);
        let rc = xwrite(
            inner,
            gathered.bytes.as_ptr().cast::<c_void>(),
            gathered.bytes.len() as c_int,
            gathered.start,
        );
        // Written or failed, they are SQLite's to retry: a failed write fails its transaction.
        gathered.bytes.clear();
        rc
    }
}

unsafe extern "C" fn wal_write(
    file: *mut ffi::sqlite3_file,
    data: *const c_void,
    amount: c_int,
    offset: i64,
) -> c_int {
    // SAFETY: `file` is an open WalFile; `data` holds `amount` bytes.
    unsafe {
        let gathered = &mut *(*file.cast::<WalFile>()).gathered;
        let bytes = std::slice::from_raw_parts(data.cast::<u8>(), amount as usize);
        let continues = gathered.start + gathered.bytes.len() as i64 == offset;
        let fits = gathered.bytes.len() + bytes.len() <= GATHER_LIMIT;
        let joins = gathered.bytes.is_empty() || (continues && fits);
        if gathered.write_next_through || !joins {
            let rc = flush(file);
            if rc != ffi::SQLITE_OK {
                return rc;
            }
        }
        if gathered.write_next_through {
            gathered.write_next_through = false;
            let (xwrite, inner) = inner_method!(file, xWrite);
            LOG_WRITES.fetch_add(1, Ordering::Relaxed);
            return xwrite(inner, data, amount, offset);
        }
        if gathered.bytes.is_empty() {
            gathered.start = offset;
        }
        gathered.bytes.extend_from_slice(bytes);
        let commit_header = bytes.len() == FRAME_HEADER && bytes[4..8] != [0; 4];
        if commit_header {
            gathered.write_next_through = true;
            return flush(file);
        }
    }
    ffi::SQLITE_OK
}

unsafe extern "C" fn wal_close(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite closes an open WalFile once; the gathered bytes are freed here.
    unsafe {
        let flushed = flush(file);
        let wal = file.cast::<WalFile>();
        drop(Box::from_raw((*wal).gathered));
        (*wal).gathered = std::ptr::null_mut();
        let (xclose, inner) = inner_method!(file, xClose);
        let closed = xclose(inner);
        if flushed != ffi::SQLITE_OK {
            flushed
        } else {
            closed
        }
    }
}

/// A method that writes out the gathered bytes, then is the default VFS's.
macro_rules! flushing {
    ($name:ident, $m:ident, ($($arg:ident: $ty:ty),*)) => {
        unsafe extern "C" fn $name(file: *mut ffi::sqlite3_file $(, $arg: $ty)*) -> c_int {
            // SAFETY: `file` is an open WalFile.
            unsafe {
                let rc = flush(file);
                if rc != ffi::SQLITE_OK {
                    return rc;
                }
                let (method, inner) = inner_method!(file, $m);
                method(inner $(, $arg)*)
            }
        }
    };
}

/// A method that is the default VFS's as it is.
macro_rules! forwarding {
    ($name:ident, $m:ident, ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        unsafe extern "C" fn $name(file: *mut ffi::sqlite3_file $(, $arg: $ty)*) -> $ret {
            // SAFETY: `file` is an open WalFile.
            unsafe {
                let (method, inner) = inner_method!(file, $m);
                method(inner $(, $arg)*)
            }
        }
    };
}

flushing!(wal_read, xRead, (data: *mut c_void, amount: c_int, offset: i64));
flushing!(wal_truncate, xTruncate, (size: i64));
flushing!(wal_sync, xSync, (flags: c_int));
flushing!(wal_file_size, xFileSize, (size: *mut i64));
flushing!(wal_file_control, xFileControl, (op: c_int, arg: *mut c_void));
flushing!(wal_fetch, xFetch, (offset: i64, amount: c_int, page: *mut *mut c_void));
forwarding!(wal_lock, xLock, (level: c_int) -> c_int);
forwarding!(wal_unlock, xUnlock, (level: c_int) -> c_int);
forwarding!(wal_check_reserved_lock, xCheckReservedLock, (out: *mut c_int) -> c_int);
forwarding!(wal_sector_size, xSectorSize, () -> c_int);
forwarding!(wal_device_characteristics, xDeviceCharacteristics, () -> c_int);
forwarding!(wal_shm_map, xShmMap, (region: c_int, size: c_int, extend: c_int, out: *mut *mut c_void) -> c_int);
forwarding!(wal_shm_lock, xShmLock, (offset: c_int, n: c_int, flags: c_int) -> c_int);
forwarding!(wal_shm_barrier, xShmBarrier, () -> ());
forwarding!(wal_shm_unmap, xShmUnmap, (delete: c_int) -> c_int);
forwarding!(wal_unfetch, xUnfetch, (offset: i64, page: *mut c_void) -> c_int);

static WAL_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 3,
    xClose: Some(wal_close),
    xRead: Some(wal_read),
    xWrite: Some(wal_write),
    xTruncate: Some(wal_truncate),
    xSync: Some(wal_sync),
    xFileSize: Some(wal_file_size),
    xLock: Some(wal_lock),
    xUnlock: Some(wal_unlock),
    xCheckReservedLock: Some(wal_check_reserved_lock),
    xFileControl: Some(wal_file_control),
    xSectorSize: Some(wal_sector_size),
    xDeviceCharacteristics: Some(wal_device_characteristics),
    xShmMap: Some(wal_shm_map),
    xShmLock: Some(wal_shm_lock),
    xShmBarrier: Some(wal_shm_barrier),
    xShmUnmap: Some(wal_shm_unmap),
    xFetch: Some(wal_fetch),
    xUnfetch: Some(wal_unfetch),
};
