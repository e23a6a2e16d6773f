//! `pharmacrm`: the desktop client.

use clap::Parser;
use pharmacrm::{Overrides, PharmaApp};

/// The PharmaCRM desktop client.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// The server, e.g. https://127.0.0.1:50051 (`https://` may be left out; remembered
    /// from the last run).
    #[arg(long)]
    server: Option<String>,
    /// The CA certificate the server's certificate chains to, e.g. var/tls/ca.pem
    /// (remembered from the last run).
    #[arg(long)]
    ca: Option<String>,
}

fn main() -> eframe::Result {
    rustls::crypto::ring::default_provider()
        .install_default()
        .expect("no other rustls crypto provider is installed");
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let overrides = Overrides {
        server: cli.server,
        ca_path: cli.ca,
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("PharmaCRM 医药销售管理系统")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([900.0, 600.0]),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        "pharmacrm",
        options,
        Box::new(move |cc| Ok(Box::new(PharmaApp::from_creation_context(cc, overrides)))),
    )
}
