package io.kpilake.cli;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/**
 * {@code --as-of}: a date {@code YYYY-MM-DD}, or {@code yesterday} / {@code today} in UTC, so a
 * scheduler that cannot template dates (a Kubernetes ScheduledSparkApplication) can run nightly.
 */
final class AsOfConverter implements CommandLine.ITypeConverter<LocalDate> {
  @Override
  public LocalDate convert(String value) {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    switch (value) {
      case "today":
        return today;
      case "yesterday":
        return today.minusDays(1);
      default:
        try {
          return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
          throw new CommandLine.TypeConversionException(
              "'" + value + "' is not a date: expected YYYY-MM-DD, 'yesterday' or 'today'");
        }
    }
  }
}
