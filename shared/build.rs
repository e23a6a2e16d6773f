//! Generates the gRPC types from `proto/` with a vendored protoc, so a fresh machine
//! needs no protobuf compiler installed.

use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "pharmacrm/v1/common.proto",
    "pharmacrm/v1/auth.proto",
    "pharmacrm/v1/admin.proto",
    "pharmacrm/v1/audit.proto",
    "pharmacrm/v1/drugs.proto",
    "pharmacrm/v1/customers.proto",
    "pharmacrm/v1/orders.proto",
    "pharmacrm/v1/finance.proto",
    "pharmacrm/v1/reports.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Read when the script runs, not baked in when it is compiled: a script compiled for
    // another checkout sharing the target directory would read that checkout's protos.
    let proto_root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../proto");
    println!("cargo:rerun-if-changed={}", proto_root.display());
    for proto in PROTOS {
        println!(
            "cargo:rerun-if-changed={}",
            proto_root.join(proto).display()
        );
    }

    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    // The well-known types (Timestamp, Empty) come with protoc's own include directory.
    let wkt_include = protoc_bin_vendored::include_path()?;

    tonic_prost_build::configure()
        .server_mod_attribute("pharmacrm.v1", r#"#[cfg(feature = "server")]"#)
        .client_mod_attribute("pharmacrm.v1", r#"#[cfg(feature = "client")]"#)
        .file_descriptor_set_path(out_dir.join("pharmacrm_descriptor.bin"))
        .emit_rerun_if_changed(false)
        .compile_with_config(
            config,
            &PROTOS
                .iter()
                .map(|p| proto_root.join(p))
                .collect::<Vec<_>>(),
            &[proto_root.clone(), wkt_include],
        )?;
    Ok(())
}
