package io.kpilake.spark.fs;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFs;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FsConstants;

/**
 * {@code file:} for Hadoop's {@code FileContext} API (Delta's log store renames each commit into
 * place through it): what {@code org.apache.hadoop.fs.local.LocalFs} is, a checksummed file system
 * delegating to a raw one, with {@link ShellFreeRawLocalFileSystem} as the raw one.
 */
public class ShellFreeLocalFs extends ChecksumFs {
  public ShellFreeLocalFs(URI uri, Configuration conf) throws IOException, URISyntaxException {
    super(new Raw(uri, conf));
  }

  /** {@code org.apache.hadoop.fs.local.RawLocalFs}, delegating to {@link ShellFreeRawLocalFileSystem}. */
  static final class Raw extends DelegateToFileSystem {
    Raw(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new ShellFreeRawLocalFileSystem(), conf, FsConstants.LOCAL_FS_URI.getScheme(), false);
    }

    @Override
    public int getUriDefaultPort() {
      return -1;
    }

    @Override
    public boolean isValidName(String src) {
      return true;
    }
  }
}
