//! The whole-file checks an import passes before anything is written: the file is text
//! (UTF-8 without NUL bytes, checked as it streams in, chunk by chunk, so a binary file is
//! refused without being held in memory), it is not past the size limit, and its header maps
//! a phone column. An upload is spooled to a file of its own under the data folder, which is
//! removed when the import is done with it.

use std::io::Read;
use std::path::{Path, PathBuf};

use futures::{Stream, StreamExt as _};
use tokio::io::AsyncWriteExt as _;

use super::model::{Columns, Field, resolve};
use crate::error::Invalid;

/// The largest CSV an upload may send unless configured otherwise (`import_max_bytes`).
pub const DEFAULT_MAX_BYTES: u64 = 512 * 1024 * 1024;

/// Why an import was refused as a whole (or could not start).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("the upload was cut short: {0}")]
    Cut(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] crate::error::StoreError),
}

/// Checks that a stream of bytes is UTF-8 text without NUL bytes, a chunk at a time; a
/// character split between two chunks is carried over.
#[derive(Debug, Default)]
pub struct TextCheck {
    carry: Vec<u8>,
    offset: u64,
}

impl TextCheck {
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), Invalid> {
        if let Some(at) = chunk.iter().position(|&b| b == 0) {
            return Err(binary(self.offset + at as u64, "a NUL byte"));
        }
        let joined;
        let bytes = if self.carry.is_empty() {
            chunk
        } else {
            joined = [self.carry.as_slice(), chunk].concat();
            joined.as_slice()
        };
        let start = self.offset - self.carry.len() as u64;
        let rest = match std::str::from_utf8(bytes) {
            Ok(_) => Vec::new(),
            Err(e) if e.error_len().is_none() => bytes[e.valid_up_to()..].to_vec(),
            Err(e) => {
                return Err(binary(
                    start + e.valid_up_to() as u64,
                    "bytes that are not UTF-8",
                ));
            }
        };
        self.offset += chunk.len() as u64;
        self.carry = rest;
        Ok(())
    }

    /// The end of the stream: a character cut short there is not text either.
    pub fn finish(self) -> Result<u64, Invalid> {
        if !self.carry.is_empty() {
            return Err(binary(
                self.offset - self.carry.len() as u64,
                "bytes that are not UTF-8",
            ));
        }
        if self.offset == 0 {
            return Err(Invalid::new("file", "is empty"));
        }
        Ok(self.offset)
    }
}

fn binary(at: u64, what: &str) -> Invalid {
    Invalid::new(
        "file",
        format!(
            "is not a CSV text file: {what} at byte {at} (save it as \"CSV UTF-8\"; spreadsheets, \
             archives and UTF-16 text are refused)"
        ),
    )
}

/// Reads `file` through to check it is text; returns its size.
pub fn check_text(mut file: impl Read) -> Result<u64, ImportError> {
    let mut check = TextCheck::default();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(check.finish()?);
        }
        check.feed(&buf[..n])?;
    }
}

/// Reads the header of the CSV in `file` and maps it.
pub fn read_header(file: impl Read, mapping: &[(String, Field)]) -> Result<Columns, ImportError> {
    let mut csv = csv_reader(file);
    let headers = csv
        .headers()
        .map_err(|e| Invalid::new("header", format!("cannot be read: {e}")))?;
    let headers: Vec<String> = headers.iter().map(str::to_string).collect();
    Ok(resolve(&headers, mapping)?)
}

/// How every import reads CSV: a header row, rows of any length (a wrong count is the row's
/// error, not the file's).
pub fn csv_reader<R: Read>(file: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(file)
}

/// An uploaded file on disk, removed when dropped.
#[derive(Debug)]
pub struct Spool {
    path: PathBuf,
    pub bytes: u64,
}

impl Spool {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Writes `body` to a new file under `dir`, checking as it goes that it is text and no larger
/// than `limit`; on any refusal the file is removed.
pub async fn spool<S, B, E>(body: S, dir: &Path, limit: u64) -> Result<Spool, ImportError>
where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    tokio::fs::create_dir_all(dir).await?;
    let name = format!("upload-{}.csv", crate::accounts::secrets::new_token(""));
    let mut spool = Spool {
        path: dir.join(name),
        bytes: 0,
    };
    let mut out = tokio::io::BufWriter::new(tokio::fs::File::create(&spool.path).await?);
    let mut check = TextCheck::default();
    let mut body = std::pin::pin!(body);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| too_large_or_cut(&e.to_string(), limit))?;
        let chunk = chunk.as_ref();
        spool.bytes += chunk.len() as u64;
        if spool.bytes > limit {
            return Err(ImportError::TooLarge { limit });
        }
        check.feed(chunk)?;
        out.write_all(chunk).await?;
    }
    out.flush().await?;
    check.finish()?;
    Ok(spool)
}

fn too_large_or_cut(error: &str, limit: u64) -> ImportError {
    if error.contains("length limit") {
        ImportError::TooLarge { limit }
    } else {
        ImportError::Cut(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(chunks: &[&[u8]]) -> Result<u64, Invalid> {
        let mut check = TextCheck::default();
        for chunk in chunks {
            check.feed(chunk)?;
        }
        check.finish()
    }

    #[test]
    fn text_passes_even_when_a_character_is_split_between_chunks() {
        let e_acute = "é".as_bytes();
        assert_eq!(
            check(&[b"name\nJos", &e_acute[..1], &e_acute[1..], b"\n"]),
            Ok(11)
        );
    }

    #[test]
    fn nul_bytes_bad_utf8_and_empty_files_are_refused_with_where() {
        let cases: &[(&[&[u8]], &str)] = &[
            (&[b"PK\x03\x04\x00\x00"], "a NUL byte at byte 4"),
            (&[b"ab", b"c\xff"], "not UTF-8 at byte 3"),
            (&[b"ab\xc3"], "not UTF-8 at byte 2"),
            (&[b"p\0h\0o\0n\0e\0"], "a NUL byte at byte 1"),
            (&[], "is empty"),
        ];
        for (chunks, message) in cases {
            let err = check(chunks).unwrap_err();
            assert_eq!(err.field, "file");
            assert!(err.message.contains(message), "{chunks:?}: {}", err.message);
        }
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_header() {
        let columns = read_header(&b"\xef\xbb\xbfPhone,Name\n"[..], &[]).unwrap();
        assert_eq!(columns.headers, vec!["Phone", "Name"]);
        assert_eq!(columns.fields[0], Field::Phone);
    }
}
