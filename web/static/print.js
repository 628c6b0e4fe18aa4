// The printable dossier's button: the browser's own print dialog.
document.getElementById("print-button")?.addEventListener("click", () => window.print());
