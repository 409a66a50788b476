package io.kpilake.ingest;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Lists {@code <landing>/<source>/<entity>/dt=YYYY-MM-DD/<file>} for one feed, up to the as-of date. */
public final class LandingScanner {
  private final String landingRoot;
  private final Configuration hadoopConf;

  public LandingScanner(String landingRoot, Configuration hadoopConf) {
    this.landingRoot = landingRoot.endsWith("/") ? landingRoot.substring(0, landingRoot.length() - 1) : landingRoot;
    this.hadoopConf = hadoopConf;
  }

  /** Files of the feed in folders with {@code dt <= asOf}, sorted by delivery date then name. */
  public List<LandingFile> list(FeedSpec feed, LocalDate asOf) {
    Path feedDir = new Path(landingRoot + "/" + feed.source() + "/" + feed.entity());
    List<LandingFile> out = new ArrayList<>();
    try {
      FileSystem fs = feedDir.getFileSystem(hadoopConf);
      FileStatus[] dtDirs;
      try {
        dtDirs = fs.listStatus(feedDir);
      } catch (FileNotFoundException e) {
        return out; // a feed with no files at all is empty, not an error
      }
      for (FileStatus dtDir : dtDirs) {
        String name = dtDir.getPath().getName();
        if (!dtDir.isDirectory() || !name.startsWith("dt=")) {
          continue;
        }
        LocalDate dt;
        try {
          dt = LocalDate.parse(name.substring(3));
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("landing folder " + dtDir.getPath() + " is not dt=YYYY-MM-DD");
        }
        if (dt.isAfter(asOf)) {
          continue;
        }
        for (FileStatus f : fs.listStatus(dtDir.getPath())) {
          String fname = f.getPath().getName();
          if (f.isFile() && !fname.startsWith(".") && !fname.startsWith("_")) {
            out.add(new LandingFile(f.getPath().toString(), feed.source(), feed.entity(), dt, f.getLen(),
                f.getModificationTime()));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + feedDir + ": " + e.getMessage(), e);
    }
    out.sort(Comparator.comparing(LandingFile::fileOrder));
    return out;
  }
}
