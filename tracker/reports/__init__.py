"""The progress report: a plain model, one template for web and PDF, charts as SVG, a safe PDF renderer."""
