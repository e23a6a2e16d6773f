//! TLS material: the operator's certificate, or on first start a private CA and a
//! server certificate for localhost/127.0.0.1 in `<data-dir>/tls/`. Clients trust
//! `ca.pem`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};

/// PEM certificate chain and private key the server presents.
pub struct ServerIdentity {
    /// The certificate chain (PEM).
    pub cert_pem: String,
    /// The private key (PEM).
    pub key_pem: String,
}

/// Where the generated files live.
pub struct GeneratedPaths {
    /// The CA clients must trust.
    pub ca_cert: PathBuf,
    /// The server's certificate.
    pub server_cert: PathBuf,
    /// The server's private key.
    pub server_key: PathBuf,
}

impl GeneratedPaths {
    /// The files under `<tls_dir>`.
    pub fn in_dir(tls_dir: &Path) -> Self {
        GeneratedPaths {
            ca_cert: tls_dir.join("ca.pem"),
            server_cert: tls_dir.join("server.pem"),
            server_key: tls_dir.join("server-key.pem"),
        }
    }
}

/// Loads the operator's certificate and key.
pub fn load(cert: &Path, key: &Path) -> Result<ServerIdentity> {
    Ok(ServerIdentity {
        cert_pem: fs::read_to_string(cert)
            .with_context(|| format!("reading the TLS certificate {}", cert.display()))?,
        key_pem: fs::read_to_string(key)
            .with_context(|| format!("reading the TLS key {}", key.display()))?,
    })
}

/// Loads the generated identity from `tls_dir`, creating a CA and a server certificate
/// there on first use.
pub fn load_or_generate(tls_dir: &Path) -> Result<ServerIdentity> {
    let paths = GeneratedPaths::in_dir(tls_dir);
    if paths.server_cert.exists() && paths.server_key.exists() {
        return load(&paths.server_cert, &paths.server_key);
    }
    fs::create_dir_all(tls_dir).with_context(|| format!("creating {}", tls_dir.display()))?;
    fs::set_permissions(tls_dir, fs::Permissions::from_mode(0o700))?;

    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.distinguished_name = name("PharmaCRM private CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    ca_params.not_after = rcgen::date_time_ymd(2046, 1, 1);
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate()?;
    let mut params = CertificateParams::new(vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ])?;
    params.distinguished_name = name("PharmaCRM server");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2036, 1, 1);
    let server_cert = params.signed_by(&server_key, &issuer)?;

    write_private(&paths.server_key, &server_key.serialize_pem())?;
    fs::write(&paths.server_cert, server_cert.pem())?;
    fs::write(&paths.ca_cert, ca_cert.pem())?;
    tracing::info!(ca = %paths.ca_cert.display(), "created a private CA and server certificate");
    load(&paths.server_cert, &paths.server_key)
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "PharmaCRM");
    dn.push(DnType::CommonName, common_name);
    dn
}

/// Writes a secret readable by its owner only.
pub fn write_private(path: &Path, contents: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}
