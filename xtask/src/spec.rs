//! Reads the spec files in `docs/spec/`.
//!
//! Both files are line-based: `#` starts a comment line, blank lines are ignored, and every
//! other line holds fields separated by ` | `.

use std::path::Path;

/// One documented error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorCodeSpec {
    pub(crate) code: i64,
    pub(crate) name: String,
    pub(crate) retry: RetrySpec,
    pub(crate) meaning: String,
}

/// The retry class of an error code, as spelled in the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetrySpec {
    Retry,
    RetryLater,
    Resign,
    RateLimited,
    Fatal,
}

impl RetrySpec {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "retry" => RetrySpec::Retry,
            "retry-later" => RetrySpec::RetryLater,
            "re-sign" => RetrySpec::Resign,
            "rate-limited" => RetrySpec::RateLimited,
            "fatal" => RetrySpec::Fatal,
            _ => return None,
        })
    }

    /// The spelling used in the spec and in `docs/errors.md`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RetrySpec::Retry => "retry",
            RetrySpec::RetryLater => "retry-later",
            RetrySpec::Resign => "re-sign",
            RetrySpec::RateLimited => "rate-limited",
            RetrySpec::Fatal => "fatal",
        }
    }

    /// The `RetryClass` variant this class becomes in Rust.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            RetrySpec::Retry => "Retry",
            RetrySpec::RetryLater => "RetryLater",
            RetrySpec::Resign => "Resign",
            RetrySpec::RateLimited => "RateLimited",
            RetrySpec::Fatal => "Fatal",
        }
    }
}

/// One REST API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EndpointSpec {
    pub(crate) variant: String,
    pub(crate) path: String,
    pub(crate) max_accounts: u32,
    pub(crate) calls_per_second: u32,
    pub(crate) safety: SafetySpec,
    pub(crate) summary: String,
}

/// Whether an API may be sent again after an attempt that may have been applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SafetySpec {
    Convergent,
    Read,
    Unsafe,
}

impl SafetySpec {
    fn parse(text: &str) -> Option<SafetySpec> {
        match text {
            "convergent" => Some(SafetySpec::Convergent),
            "read" => Some(SafetySpec::Read),
            "unsafe" => Some(SafetySpec::Unsafe),
            _ => None,
        }
    }

    /// The name of the `RetrySafety` variant.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            SafetySpec::Convergent => "Convergent",
            SafetySpec::Read => "Read",
            SafetySpec::Unsafe => "Unsafe",
        }
    }

    /// The spelling in the spec file.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SafetySpec::Convergent => "convergent",
            SafetySpec::Read => "read",
            SafetySpec::Unsafe => "unsafe",
        }
    }
}

/// Everything the generator reads.
#[derive(Debug)]
pub(crate) struct Spec {
    pub(crate) codes: Vec<ErrorCodeSpec>,
    pub(crate) endpoints: Vec<EndpointSpec>,
}

pub(crate) const ERROR_CODES_FILE: &str = "docs/spec/error-codes.txt";
pub(crate) const ENDPOINTS_FILE: &str = "docs/spec/endpoints.txt";

impl Spec {
    /// Reads and validates both spec files under `root`.
    pub(crate) fn load(root: &Path) -> Result<Spec, String> {
        let codes_text = read(root, ERROR_CODES_FILE)?;
        let endpoints_text = read(root, ENDPOINTS_FILE)?;
        Ok(Spec {
            codes: parse_codes(&codes_text)?,
            endpoints: parse_endpoints(&endpoints_text)?,
        })
    }
}

fn read(root: &Path, relative: &str) -> Result<String, String> {
    std::fs::read_to_string(root.join(relative))
        .map_err(|error| format!("cannot read {relative}: {error}"))
}

/// The data lines of a spec file, with their 1-based line numbers, split into fields.
fn records(text: &str, fields: usize) -> Result<Vec<(usize, Vec<&str>)>, String> {
    let mut records = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.splitn(fields, " | ").map(str::trim).collect();
        if parts.len() != fields || parts.iter().any(|part| part.is_empty()) {
            return Err(format!(
                "line {}: expected {fields} non-empty fields separated by ' | '",
                index + 1
            ));
        }
        records.push((index + 1, parts));
    }
    Ok(records)
}

fn is_constant_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

pub(crate) fn parse_codes(text: &str) -> Result<Vec<ErrorCodeSpec>, String> {
    let mut codes: Vec<ErrorCodeSpec> = Vec::new();
    for (line, fields) in records(text, 4)? {
        let context = |message: String| format!("{ERROR_CODES_FILE}:{line}: {message}");
        let code = fields[0]
            .parse::<i64>()
            .map_err(|_| context(format!("`{}` is not an integer code", fields[0])))?;
        if !is_constant_name(fields[1]) {
            return Err(context(format!("`{}` is not a CONSTANT_NAME", fields[1])));
        }
        let retry = RetrySpec::parse(fields[2])
            .ok_or_else(|| context(format!("unknown retry class `{}`", fields[2])))?;
        if let Some(previous) = codes.last()
            && previous.code >= code
        {
            return Err(context(format!("code {code} is not in ascending order")));
        }
        if codes.iter().any(|entry| entry.name == fields[1]) {
            return Err(context(format!("name `{}` is used twice", fields[1])));
        }
        codes.push(ErrorCodeSpec {
            code,
            name: fields[1].to_owned(),
            retry,
            meaning: fields[3].to_owned(),
        });
    }
    Ok(codes)
}

pub(crate) fn parse_endpoints(text: &str) -> Result<Vec<EndpointSpec>, String> {
    let mut endpoints: Vec<EndpointSpec> = Vec::new();
    for (line, fields) in records(text, 6)? {
        let context = |message: String| format!("{ENDPOINTS_FILE}:{line}: {message}");
        let variant = fields[0];
        if !variant.starts_with(|c: char| c.is_ascii_uppercase())
            || !variant.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(context(format!(
                "`{variant}` is not a CamelCase variant name"
            )));
        }
        let number = |text: &str| {
            text.parse::<u32>()
                .map_err(|_| context(format!("`{text}` is not a positive integer")))
        };
        endpoints.push(EndpointSpec {
            variant: variant.to_owned(),
            path: fields[1].to_owned(),
            max_accounts: number(fields[2])?,
            calls_per_second: number(fields[3])?,
            safety: SafetySpec::parse(fields[4])
                .ok_or_else(|| context(format!("unknown retry safety `{}`", fields[4])))?,
            summary: fields[5].to_owned(),
        });
    }
    Ok(endpoints)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_rejects_disorder() {
        let codes = parse_codes(
            "# comment\n\n1 | A | retry | first\n2 | B_2 | fatal | second | with bar\n",
        )
        .expect("valid spec");
        assert_eq!(codes.len(), 2);
        assert_eq!(codes[1].meaning, "second | with bar");
        assert_eq!(codes[0].retry, RetrySpec::Retry);
        assert!(parse_codes("2 | A | retry | x\n1 | B | retry | y\n").is_err());
        assert!(parse_codes("1 | lower | retry | x\n").is_err());
        assert!(parse_codes("1 | A | sometimes | x\n").is_err());
        assert!(parse_codes("1 | A | retry\n").is_err());
    }

    #[test]
    fn parses_endpoints() {
        let endpoints =
            parse_endpoints("Add | v4/x/add | 1000 | 200 | convergent | Adds.\n").expect("valid");
        assert_eq!(endpoints[0].max_accounts, 1000);
        assert_eq!(endpoints[0].safety, SafetySpec::Convergent);
        assert!(parse_endpoints("add | v4/x | 1 | 1 | read | x\n").is_err());
        assert!(parse_endpoints("Add | v4/x | -1 | 1 | read | x\n").is_err());
        assert!(parse_endpoints("Add | v4/x | 1 | 1 | maybe | x\n").is_err());
        assert!(parse_endpoints("Add | v4/x | 1 | 1 | x\n").is_err());
    }
}
