package io.kpilake.ingest;

import io.kpilake.contract.FeedSpec;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Parses one CSV or JSON-lines file into {@link Parsed} records, keeping each record's row number
 * and raw text (Spark's CSV and JSON readers drop both, and the contract needs them for
 * quarantine). CSV goes through univocity, the parser Spark's own CSV source uses, with RFC 4180
 * settings. Runs on executors: no Spark calls here.
 *
 * <p>Row numbers: CSV counts data records after the header (a quoted newline does not start a new
 * row); JSON counts lines. Blank lines are not records.
 */
public final class RecordParser implements Serializable {
  /** One parsed record, or (rowNumber 0, fileError set) the verdict that the whole file is refused. */
  public record Parsed(long rowNumber, String rawRecord, Map<String, String> fields, String rowError, String fileError) {}

  private final FeedSpec feed;
  /** Export column name -> contract column name. */
  private final Map<String, String> exportToContract;
  private final int maxCharsPerCell;

  public RecordParser(FeedSpec feed, Map<String, String> contractToExport, int maxCharsPerCell) {
    this.feed = feed;
    this.exportToContract = new LinkedHashMap<>();
    contractToExport.forEach((contract, export) -> exportToContract.put(export, contract));
    this.maxCharsPerCell = maxCharsPerCell;
  }

  private String contractName(String exportName) {
    String trimmed = exportName == null ? "" : exportName.strip();
    return exportToContract.getOrDefault(trimmed, trimmed);
  }

  /** Parses the stream lazily: every record in order, then possibly one file-level error. */
  public Iterator<Parsed> open(String format, InputStream in) {
    Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
    return switch (format) {
      case "csv" -> new CsvCursor(reader);
      case "json" -> new JsonCursor(new BufferedReader(reader));
      default -> List.of(fileError("unsupported file extension (expected .csv, .json, .jsonl or .parquet)")).iterator();
    };
  }

  /** Convenience for tests and small files. */
  public List<Parsed> parseAll(String format, InputStream in) {
    List<Parsed> all = new ArrayList<>();
    open(format, in).forEachRemaining(all::add);
    return all;
  }

  /** A one-record look-ahead over a source that may fail; a failure becomes a file-level error. */
  private abstract static class Cursor implements Iterator<Parsed> {
    private Parsed pending;
    private boolean done;

    /** The next record, or null at the end. */
    abstract Parsed advance() throws IOException;

    @Override
    public boolean hasNext() {
      if (pending == null && !done) {
        try {
          pending = advance();
        } catch (TextParsingException e) {
          pending = fileError("cannot parse CSV near line " + Math.max(0, e.getLineIndex() + 1) + ": " + firstLine(e.getMessage()));
          done = true;
        } catch (IOException | RuntimeException e) {
          pending = fileError("cannot read file: " + firstLine(String.valueOf(e.getMessage())));
          done = true;
        }
        if (pending == null) {
          done = true;
        }
      }
      return pending != null;
    }

    @Override
    public Parsed next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Parsed p = pending;
      pending = null;
      if (p.fileError() != null) {
        done = true;
      }
      return p;
    }
  }

  /** Characters univocity reads from a CSV file at a time. */
  static final int INPUT_BUFFER_CHARS = 64 * 1024;

  private final class CsvCursor extends Cursor {
    private final CsvParser parser;
    private String[] names;
    private long row;

    CsvCursor(Reader reader) {
      CsvParserSettings s = new CsvParserSettings();
      s.getFormat().setDelimiter(',');
      s.getFormat().setQuote('"');
      s.getFormat().setQuoteEscape('"');
      s.setLineSeparatorDetectionEnabled(true);
      s.setMaxCharsPerColumn(maxCharsPerCell);
      s.setMaxColumns(4096);
      s.setNullValue(null);
      s.setEmptyValue("");
      s.setIgnoreLeadingWhitespaces(false);
      s.setIgnoreTrailingWhitespaces(false);
      s.setSkipEmptyLines(true);
      s.setHeaderExtractionEnabled(false);
      // As Spark's CSV source configures univocity (CSVOptions.asParserSettings): read on the
      // calling thread. The default starts a reader thread per file, with a 1M-character buffer,
      // for daily files of a few kilobytes; 64K characters is a whole small file and the refill
      // size of a large one.
      s.setReadInputOnSeparateThread(false);
      s.setInputBufferSize(INPUT_BUFFER_CHARS);
      parser = new CsvParser(s);
      parser.beginParsing(reader);
    }

    @Override
    Parsed advance() {
      if (names == null) {
        String[] header = parser.parseNext();
        if (header == null) {
          return null; // an empty file has no records
        }
        names = new String[header.length];
        for (int i = 0; i < header.length; i++) {
          names[i] = contractName(stripBom(header[i]));
        }
        String missing = missingRequired(Set.of(names));
        if (missing != null) {
          parser.stopParsing();
          return fileError(missing);
        }
      }
      String[] values = parser.parseNext();
      if (values == null) {
        return null;
      }
      row++;
      String raw = stripNewline(parser.getContext().currentParsedContent());
      if (values.length != names.length) {
        return new Parsed(row, raw, Map.of(), "expected " + names.length + " fields (as in the header), found " + values.length, null);
      }
      Map<String, String> fields = new LinkedHashMap<>();
      for (int i = 0; i < names.length; i++) {
        fields.put(names[i], values[i]);
      }
      return new Parsed(row, raw, fields, null, null);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

  private final class JsonCursor extends Cursor {
    private final BufferedReader reader;
    private final Set<String> seen = new HashSet<>();
    private long lineNo;
    private long records;
    private boolean ended;

    JsonCursor(BufferedReader reader) {
      this.reader = reader;
    }

    @Override
    Parsed advance() throws IOException {
      if (ended) {
        return null;
      }
      String line;
      while ((line = reader.readLine()) != null) {
        lineNo++;
        if (!line.isBlank()) {
          break;
        }
      }
      if (line == null) {
        ended = true;
        String missing = records > 0 ? missingRequired(seen) : null;
        return missing == null ? null : fileError(missing + " (in no record of the file)");
      }
      records++;
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (IOException e) {
        return new Parsed(lineNo, line, Map.of(), "invalid JSON: " + firstLine(e.getMessage()), null);
      }
      if (node == null || !node.isObject()) {
        return new Parsed(lineNo, line, Map.of(), "not a JSON object", null);
      }
      Map<String, String> fields = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = e.getValue();
        String name = contractName(e.getKey());
        seen.add(name);
        fields.put(name, v.isNull() ? null : v.isValueNode() ? v.asText() : v.toString());
      }
      return new Parsed(lineNo, line, fields, null, null);
    }
  }

  /** A message naming the required contract columns absent from {@code present}, or null. */
  String missingRequired(Set<String> present) {
    List<String> missing = feed.requiredColumns().stream().filter(c -> !present.contains(c)).toList();
    if (missing.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder("missing required column");
    sb.append(missing.size() > 1 ? "s " : " ").append(String.join(", ", missing));
    missing.forEach(m -> exportToContract.entrySet().stream().filter(e -> e.getValue().equals(m)).findFirst()
        .ifPresent(e -> sb.append(" (configured as '").append(e.getKey()).append("')")));
    return sb.toString();
  }

  private static Parsed fileError(String message) {
    return new Parsed(0, null, Map.of(), null, message);
  }

  private static String stripBom(String s) {
    return s != null && !s.isEmpty() && s.charAt(0) == '\uFEFF' ? s.substring(1) : s;
  }

  private static String stripNewline(String s) {
    if (s == null) {
      return null;
    }
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
      end--;
    }
    return s.substring(0, end);
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String first = nl < 0 ? s : s.substring(0, nl);
    return first.length() > 300 ? first.substring(0, 300) + "..." : first;
  }
}
