//! Reading the signature material out of a request: the `Authorization` header or the
//! presigned `X-Amz-*` query parameters, and the request time.

use crate::canonical::{ALGORITHM, percent_decode};
use crate::error::SigV4Error;

/// The credential scope `<date>/<region>/<service>/aws4_request` with the access key id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialScope {
    pub access_key_id: String,
    /// `YYYYMMDD`.
    pub date: String,
    pub region: String,
    pub service: String,
}

impl CredentialScope {
    /// `AKID/date/region/service/aws4_request`.
    pub fn parse(value: &str) -> Result<Self, SigV4Error> {
        let parts: Vec<&str> = value.split('/').collect();
        match parts.as_slice() {
            [akid, date, region, service, "aws4_request"]
                if !akid.is_empty()
                    && date.len() == 8
                    && !region.is_empty()
                    && !service.is_empty() =>
            {
                Ok(Self {
                    access_key_id: (*akid).to_string(),
                    date: (*date).to_string(),
                    region: (*region).to_string(),
                    service: (*service).to_string(),
                })
            }
            _ => Err(SigV4Error::Malformed(format!(
                "Credential should be of the form <AccessKeyId>/<YYYYMMDD>/<region>/<service>/aws4_request, got '{value}'."
            ))),
        }
    }

    /// `date/region/service/aws4_request` (the scope line of the string to sign).
    pub fn scope(&self) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            self.date, self.region, self.service
        )
    }
}

/// Where the signature came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthLocation {
    Header,
    /// Presigned URL; carries `X-Amz-Expires` in seconds.
    Query {
        expires: i64,
    },
}

/// Everything a signature check needs besides the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthInput {
    pub credential: CredentialScope,
    /// Lower-case header names in the order given (`;`-separated on the wire).
    pub signed_headers: Vec<String>,
    /// The claimed signature (lower-case hex as sent).
    pub signature: String,
    /// `YYYYMMDDTHHMMSSZ`.
    pub amz_date: String,
    /// `amz_date` as Unix seconds.
    pub request_time: i64,
    pub location: AuthLocation,
    /// `X-Amz-Security-Token` (header or query).
    pub session_token: Option<String>,
}

impl AuthInput {
    /// `signed_headers` joined with `;`.
    pub fn signed_headers_line(&self) -> String {
        self.signed_headers.join(";")
    }
}

/// The longest `X-Amz-Expires` AWS accepts: 7 days.
pub const MAX_PRESIGN_EXPIRES: i64 = 7 * 24 * 3600;

/// Reads the authentication of a request (header first, then query).
pub fn read_auth(
    headers: &http::HeaderMap,
    raw_query: Option<&str>,
) -> Result<AuthInput, SigV4Error> {
    if let Some(value) = headers.get(http::header::AUTHORIZATION) {
        let value = value
            .to_str()
            .map_err(|_| SigV4Error::Malformed("Authorization header is not ASCII".into()))?;
        return from_header(value, headers);
    }
    let params = query_params(raw_query);
    if params.iter().any(|(k, _)| k == "X-Amz-Algorithm") {
        return from_query(&params, headers);
    }
    Err(SigV4Error::Missing)
}

fn from_header(value: &str, headers: &http::HeaderMap) -> Result<AuthInput, SigV4Error> {
    let (algorithm, rest) = value
        .trim()
        .split_once(' ')
        .ok_or_else(|| SigV4Error::Malformed("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.".into()))?;
    if algorithm != ALGORITHM {
        return Err(SigV4Error::UnsupportedAlgorithm(algorithm.to_string()));
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let Some((k, v)) = part.trim().split_once('=') else {
            continue;
        };
        match k.trim() {
            "Credential" => credential = Some(v.trim()),
            "SignedHeaders" => signed = Some(v.trim()),
            "Signature" => signature = Some(v.trim()),
            _ => {}
        }
    }
    let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature) else {
        return Err(SigV4Error::Malformed(
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."
                .into(),
        ));
    };
    let amz_date = header_str(headers, "x-amz-date")
        .ok_or_else(|| SigV4Error::InvalidDate("Missing X-Amz-Date header.".into()))?;
    let request_time = parse_amz_date(amz_date)?;
    Ok(AuthInput {
        credential: CredentialScope::parse(credential)?,
        signed_headers: split_signed_headers(signed)?,
        signature: signature.to_string(),
        amz_date: amz_date.to_string(),
        request_time,
        location: AuthLocation::Header,
        session_token: header_str(headers, "x-amz-security-token").map(str::to_string),
    })
}

fn from_query(
    params: &[(String, String)],
    headers: &http::HeaderMap,
) -> Result<AuthInput, SigV4Error> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let missing = |name: &str| {
        SigV4Error::Malformed(format!(
            "Query-string authentication requires the {name} parameter."
        ))
    };
    let algorithm = get("X-Amz-Algorithm").unwrap_or_default();
    if algorithm != ALGORITHM {
        return Err(SigV4Error::UnsupportedAlgorithm(algorithm.to_string()));
    }
    let credential = get("X-Amz-Credential").ok_or_else(|| missing("X-Amz-Credential"))?;
    let amz_date = get("X-Amz-Date").ok_or_else(|| missing("X-Amz-Date"))?;
    let signed = get("X-Amz-SignedHeaders").ok_or_else(|| missing("X-Amz-SignedHeaders"))?;
    let signature = get("X-Amz-Signature").ok_or_else(|| missing("X-Amz-Signature"))?;
    let expires = get("X-Amz-Expires").ok_or_else(|| missing("X-Amz-Expires"))?;
    let expires: i64 = expires
        .parse()
        .ok()
        .filter(|e| (1..=MAX_PRESIGN_EXPIRES).contains(e))
        .ok_or_else(|| {
            SigV4Error::Malformed("X-Amz-Expires must be between 1 and 604800 seconds.".to_string())
        })?;
    let session_token = get("X-Amz-Security-Token")
        .map(str::to_string)
        .or_else(|| header_str(headers, "x-amz-security-token").map(str::to_string));
    Ok(AuthInput {
        credential: CredentialScope::parse(credential)?,
        signed_headers: split_signed_headers(signed)?,
        signature: signature.to_string(),
        amz_date: amz_date.to_string(),
        request_time: parse_amz_date(amz_date)?,
        location: AuthLocation::Query { expires },
        session_token,
    })
}

fn split_signed_headers(value: &str) -> Result<Vec<String>, SigV4Error> {
    let names: Vec<String> = value
        .split(';')
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if names.is_empty() {
        return Err(SigV4Error::Malformed("SignedHeaders is empty.".into()));
    }
    if !names.iter().any(|n| n == "host") {
        return Err(SigV4Error::MissingSignedHeader(
            "'Host' must be a 'SignedHeader' in the AWS Authorization.".into(),
        ));
    }
    Ok(names)
}

/// The decoded `(name, value)` pairs of a raw query string.
pub fn query_params(raw_query: Option<&str>) -> Vec<(String, String)> {
    raw_query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (
                String::from_utf8_lossy(&percent_decode(k, true)).into_owned(),
                String::from_utf8_lossy(&percent_decode(v, true)).into_owned(),
            )
        })
        .collect()
}

pub(crate) fn header_str<'h>(headers: &'h http::HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// `YYYYMMDDTHHMMSSZ` → Unix seconds.
pub fn parse_amz_date(value: &str) -> Result<i64, SigV4Error> {
    let bad = || SigV4Error::InvalidDate(format!("Invalid X-Amz-Date '{value}'."));
    let b = value.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return Err(bad());
    }
    let num = |range: std::ops::Range<usize>| -> Result<i64, SigV4Error> {
        let s = value.get(range).ok_or_else(bad)?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse::<i64>().map_err(|_| bad())
    };
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, s) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return Err(bad());
    }
    Ok(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

/// Unix seconds → `YYYYMMDDTHHMMSSZ`.
pub fn format_amz_date(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

// Howard Hinnant's civil calendar algorithms.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_amz_date("19700101T000000Z"), Ok(0));
        assert_eq!(parse_amz_date("20150830T123600Z"), Ok(1_440_938_160));
        assert_eq!(format_amz_date(1_440_938_160), "20150830T123600Z");
        for t in [0, 951_782_400, 1_709_164_799, 4_102_444_800] {
            assert_eq!(parse_amz_date(&format_amz_date(t)), Ok(t));
        }
        for bad in [
            "20150830T123600",
            "2015-08-30T12:36:00Z",
            "20151330T123600Z",
            "2015083aT123600Z",
        ] {
            assert!(parse_amz_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn header_parsing() {
        let mut h = http::HeaderMap::new();
        h.insert("x-amz-date", "20150830T123600Z".parse().unwrap());
        h.insert(
            http::header::AUTHORIZATION,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc"
                .parse()
                .unwrap(),
        );
        let a = read_auth(&h, None).unwrap();
        assert_eq!(a.credential.access_key_id, "AKIDEXAMPLE");
        assert_eq!(
            a.credential.scope(),
            "20150830/us-east-1/service/aws4_request"
        );
        assert_eq!(a.signed_headers, ["host", "x-amz-date"]);
        assert_eq!(a.signature, "abc");
        assert_eq!(a.location, AuthLocation::Header);

        h.insert(
            http::header::AUTHORIZATION,
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=x-amz-date, Signature=abc"
                .parse()
                .unwrap(),
        );
        assert!(matches!(
            read_auth(&h, None),
            Err(SigV4Error::MissingSignedHeader(_))
        ));
        h.insert(
            http::header::AUTHORIZATION,
            "AWS4-HMAC-SHA1 x".parse().unwrap(),
        );
        assert!(matches!(
            read_auth(&h, None),
            Err(SigV4Error::UnsupportedAlgorithm(_))
        ));
        h.insert(
            http::header::AUTHORIZATION,
            "AWS4-HMAC-SHA256 Credential=AKID/2015/us-east-1/s/aws4_request, SignedHeaders=host, Signature=abc"
                .parse()
                .unwrap(),
        );
        assert!(matches!(read_auth(&h, None), Err(SigV4Error::Malformed(_))));
        assert_eq!(
            read_auth(&http::HeaderMap::new(), Some("a=b")),
            Err(SigV4Error::Missing)
        );
    }

    #[test]
    fn query_parsing() {
        let q = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=ff";
        let a = read_auth(&http::HeaderMap::new(), Some(q)).unwrap();
        assert_eq!(a.location, AuthLocation::Query { expires: 900 });
        assert_eq!(a.credential.service, "s3");
        let q = q.replace("X-Amz-Expires=900", "X-Amz-Expires=604801");
        assert!(read_auth(&http::HeaderMap::new(), Some(&q)).is_err());
    }
}
