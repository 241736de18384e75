//! The text encodings an imported file may come in: UTF-8 (with or without a byte-order mark) and
//! GB18030 (which covers GBK and GB2312), the encoding spreadsheets save in on zh-CN systems.
//!
//! A file is decoded field by field (CSV) or line by line (JSONL), so a byte that is not text in the
//! declared encoding is reported with the row it is in. A file declared GB18030 that is valid UTF-8
//! with letters beyond ASCII is refused rather than decoded: UTF-8 Chinese read as GB18030 is valid
//! but wrong text (mojibake), and that must never reach the log.

use std::borrow::Cow;
use std::io::{self, Read};

/// The encoding a file is declared to be in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TextEncoding {
    /// UTF-8, with or without a byte-order mark.
    #[default]
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// GB18030 (a superset of GBK and GB2312).
    #[value(name = "gb18030", alias = "gbk")]
    Gb18030,
}

/// UTF-8's byte-order mark.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

impl TextEncoding {
    /// Parses a charset label (`utf-8`, `utf8`, `gb18030`, `gbk`, `gb2312`, any case).
    pub(crate) fn from_label(label: &str) -> Option<TextEncoding> {
        match label.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(TextEncoding::Utf8),
            "gb18030" | "gbk" | "gb2312" | "cp936" => Some(TextEncoding::Gb18030),
            _ => None,
        }
    }

    /// The name people know it by.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gb18030 => "GB18030",
        }
    }

    /// Opens a file's text: UTF-8's byte-order mark is dropped (it is not part of the text), and a
    /// GB18030 file is first read through once to make sure it is not UTF-8 in disguise (`rewind`
    /// gives the file again from its start).
    pub fn open<R: Read>(
        self,
        mut file: R,
        rewind: impl FnOnce(R) -> io::Result<R>,
    ) -> Result<impl Read, OpenProblem> {
        if self == TextEncoding::Gb18030 {
            if is_utf8_beyond_ascii(&mut file)? {
                return Err(OpenProblem::Encoding(EncodingProblem::Utf8DeclaredGb18030));
            }
            file = rewind(file)?;
        }
        let mut start = [0u8; 3];
        let mut filled = 0;
        while filled < start.len() {
            match file.read(&mut start[filled..])? {
                0 => break,
                read => filled += read,
            }
        }
        let kept = if self == TextEncoding::Utf8 && start[..filled] == *UTF8_BOM { 0 } else { filled };
        Ok(io::Cursor::new(start[..kept].to_vec()).chain(file))
    }

    /// Decodes one field or line; a byte sequence that is not text in this encoding is an error.
    pub fn decode(self, bytes: &[u8]) -> Result<Cow<'_, str>, EncodingProblem> {
        match self {
            TextEncoding::Utf8 => std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|_| {
                let gb18030 = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes);
                EncodingProblem::NotUtf8 { maybe_gb18030: gb18030.is_some() }
            }),
            TextEncoding::Gb18030 => encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(bytes)
                .ok_or(EncodingProblem::NotGb18030),
        }
    }
}

/// Why text could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EncodingProblem {
    /// Bytes that are not UTF-8.
    #[error("not valid UTF-8{}", if *maybe_gb18030 { " (it reads as GB18030: declare that encoding)" } else { "" })]
    NotUtf8 {
        /// Whether the bytes are valid GB18030, so that the error can say which encoding to declare.
        maybe_gb18030: bool,
    },
    /// Bytes that are not GB18030.
    #[error("not valid GB18030")]
    NotGb18030,
    /// A file declared GB18030 that is UTF-8.
    #[error("the file is UTF-8, not GB18030: declare UTF-8")]
    Utf8DeclaredGb18030,
}

/// Why a file could not be opened as text.
#[derive(Debug, thiserror::Error)]
pub enum OpenProblem {
    /// It is in another encoding than declared.
    #[error("{0}")]
    Encoding(EncodingProblem),
    /// It could not be read.
    #[error("reading the file: {0}")]
    Read(#[from] io::Error),
}

/// Whether `file` is valid UTF-8 holding at least one character beyond ASCII (a BOM counts), read
/// in blocks so that a large file is never held whole.
fn is_utf8_beyond_ascii(file: &mut impl Read) -> io::Result<bool> {
    let mut block = vec![0u8; 64 * 1024];
    // The bytes of a character cut by the end of the last block.
    let mut carried = 0;
    let mut beyond_ascii = false;
    loop {
        let read = file.read(&mut block[carried..])?;
        if read == 0 {
            return Ok(carried == 0 && beyond_ascii);
        }
        let filled = carried + read;
        let valid = match std::str::from_utf8(&block[..filled]) {
            Ok(text) => text.len(),
            Err(error) if error.error_len().is_none() => error.valid_up_to(),
            Err(_) => return Ok(false),
        };
        beyond_ascii |= !block[..valid].is_ascii();
        block.copy_within(valid..filled, 0);
        carried = filled - valid;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gb18030(text: &str) -> Vec<u8> {
        encoding_rs::GB18030.encode(text).0.into_owned()
    }

    #[test]
    fn decodes_chinese_in_both_encodings() {
        assert_eq!(TextEncoding::Utf8.decode("张三".as_bytes()).unwrap(), "张三");
        assert_eq!(TextEncoding::Gb18030.decode(&gb18030("鼓楼区张三")).unwrap(), "鼓楼区张三");
    }

    #[test]
    fn gb18030_bytes_declared_utf8_are_an_error_that_names_the_encoding() {
        let problem = TextEncoding::Utf8.decode(&gb18030("张三")).unwrap_err();
        assert_eq!(problem, EncodingProblem::NotUtf8 { maybe_gb18030: true });
        assert!(problem.to_string().contains("GB18030"));
    }

    fn opened(encoding: TextEncoding, file: &[u8]) -> Result<Vec<u8>, OpenProblem> {
        let mut text = Vec::new();
        let rewind = |_| Ok(io::Cursor::new(file));
        encoding.open(io::Cursor::new(file), rewind)?.read_to_end(&mut text)?;
        Ok(text)
    }

    #[test]
    fn utf8_declared_gb18030_is_refused_instead_of_turned_into_mojibake() {
        let file = "name\n张三\n".as_bytes();
        assert!(TextEncoding::Gb18030.decode(file).is_ok(), "UTF-8 Chinese is valid GB18030 bytes");
        let refused = |file: &[u8]| {
            matches!(
                opened(TextEncoding::Gb18030, file),
                Err(OpenProblem::Encoding(EncodingProblem::Utf8DeclaredGb18030))
            )
        };
        assert!(refused(file));
        assert!(refused(b"\xEF\xBB\xBFname\n"));
        assert_eq!(opened(TextEncoding::Gb18030, b"name\nli\n").unwrap(), b"name\nli\n");
        let chinese = gb18030("name\n张三\n");
        assert_eq!(opened(TextEncoding::Gb18030, &chinese).unwrap(), chinese);
    }

    #[test]
    fn a_character_cut_by_a_block_boundary_is_still_utf8() {
        let mut file = vec![b'a'; 64 * 1024 - 1];
        file.extend("张三".as_bytes());
        assert!(is_utf8_beyond_ascii(&mut io::Cursor::new(&file)).unwrap());
        file.push(0xFF);
        assert!(!is_utf8_beyond_ascii(&mut io::Cursor::new(&file)).unwrap());
    }

    #[test]
    fn a_bom_is_not_text() {
        assert_eq!(opened(TextEncoding::Utf8, b"\xEF\xBB\xBFname").unwrap(), b"name");
        assert_eq!(opened(TextEncoding::Utf8, b"name").unwrap(), b"name");
        assert_eq!(opened(TextEncoding::Utf8, b"na").unwrap(), b"na");
    }

    #[test]
    fn labels_name_the_encodings() {
        assert_eq!(TextEncoding::from_label("GBK"), Some(TextEncoding::Gb18030));
        assert_eq!(TextEncoding::from_label("utf-8"), Some(TextEncoding::Utf8));
        assert_eq!(TextEncoding::from_label("latin1"), None);
    }
}
