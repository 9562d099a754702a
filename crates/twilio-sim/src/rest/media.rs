//! Recording audio: a playable PCM WAV of silence, and a valid MP3 of silent frames.

/// 8 kHz 8-bit mono PCM silence lasting `secs` seconds (at most 4 hours), as a WAV file.
/// Eight bits keep an hour under 30 MB; unsigned 8-bit PCM is silent at 128.
pub fn wav(secs: u64) -> Vec<u8> {
    const RATE: u32 = 8000;
    let data_len = (RATE as u64 * secs.min(4 * 3600)) as u32;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&RATE.to_le_bytes());
    out.extend_from_slice(&RATE.to_le_bytes()); // byte rate
    out.extend_from_slice(&1u16.to_le_bytes()); // block align
    out.extend_from_slice(&8u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out.resize(44 + data_len as usize, 128);
    out
}

/// Silent MPEG-2 Layer III frames (16 kHz, 8 kbit/s, mono) lasting about `secs` seconds.
///
/// Each frame is 36 bytes: a 4-byte header and all-zero side information and main data,
/// which decoders play as silence. 576 samples per frame at 16 kHz.
pub fn mp3(secs: u64) -> Vec<u8> {
    const HEADER: [u8; 4] = [0xFF, 0xF3, 0x18, 0xC0];
    const FRAME_LEN: usize = 36;
    let frames = (secs.min(4 * 3600) * 16_000).div_ceil(576).max(1) as usize;
    let mut out = Vec::with_capacity(frames * FRAME_LEN);
    for _ in 0..frames {
        out.extend_from_slice(&HEADER);
        out.resize(out.len() + FRAME_LEN - HEADER.len(), 0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wav_has_a_riff_header_and_the_right_length() {
        let w = wav(2);
        assert_eq!(&w[0..4], b"RIFF");
        assert_eq!(&w[8..12], b"WAVE");
        assert_eq!(w.len(), 44 + 8000 * 2);
        assert_eq!(w[44], 128);
    }

    #[test]
    fn an_mp3_is_a_train_of_frame_headers() {
        let m = mp3(1);
        assert_eq!(m.len() % 36, 0);
        assert!(m.chunks(36).all(|f| f[0] == 0xFF && f[1] & 0xE0 == 0xE0));
        assert_eq!(m.len() / 36, 28);
    }
}
