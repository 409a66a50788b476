package io.kpilake.publish.report;

import java.util.Locale;

/** Minimal SVG and HTML building: escaping, number formatting, bars, lines and text. */
final class Svg {
  private Svg() {}

  static String esc(Object o) {
    if (o == null) {
      return "";
    }
    String s = o.toString();
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** 1234567.8 -> "1,234,568"; the label form of money. */
  static String money(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  /** 0.9731 -> "97.3%". */
  static String pct(Double v) {
    return v == null ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }

  static String num(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String open(int width, int height, String label) {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height + "\" viewBox=\"0 0 "
        + width + " " + height + "\" role=\"img\" aria-label=\"" + esc(label) + "\">";
  }

  /** A bar whose exact value is kept in {@code data-value} (the report test reads it back). */
  static String bar(String series, String key, String value, double x, double y, double w, double h, String fill) {
    return "<rect class=\"bar\" data-series=\"" + esc(series) + "\" data-key=\"" + esc(key) + "\" data-value=\"" + esc(value)
        + "\" x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) + "\" fill=\"" + fill + "\"/>";
  }

  static String text(double x, double y, String anchor, String cls, String s) {
    return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\" class=\"" + cls + "\">" + esc(s) + "</text>";
  }

  static String line(double x1, double y1, double x2, double y2, String stroke, double width) {
    return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) + "\" stroke=\"" + stroke
        + "\" stroke-width=\"" + num(width) + "\"/>";
  }
}
