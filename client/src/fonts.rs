//! The bundled CJK font (Droid Sans Fallback, Apache-2.0, see
//! `assets/fonts/DroidSansFallback-COPYRIGHT`), so Chinese renders the same on every
//! workstation and in headless tests.

/// The font file, compiled in.
pub const CJK_FONT: &[u8] = include_bytes!("../assets/fonts/DroidSansFallbackFull.ttf");

/// Adds the CJK font behind egui's own fonts for both families.
pub fn install(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        "droid_sans_fallback".to_owned(),
        std::sync::Arc::new(egui::FontData::from_static(CJK_FONT)),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .push("droid_sans_fallback".to_owned());
    }
    ctx.set_fonts(fonts);
}
