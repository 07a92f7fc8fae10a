package dev.drpo.operators.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.drpo.model.catalog.CommittedIndex;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.NIOFSDirectory;

/**
 * A copy of a scorer's kept HNSW index in a durable directory (any Flink file system: a shared
 * disk, S3, HDFS), so that an instance on a machine without a usable local copy downloads it
 * instead of building the graphs again (minutes at a million items). Copies are told apart by the
 * identity of what they index (cluster, topic and its id, dimension, graph settings): under
 * {@code <directory>/<key>/}, {@code manifest.json} names the latest commit uploaded (its files'
 * names, copies, lengths and Lucene checksums, and its commit data), and each file is uploaded
 * once, as Lucene never changes a file it has written: a commit uploads only the files the last
 * one did not have (the segments written and merged since), as RocksDB's incremental checkpoints
 * share their SST files. After each upload, the files under the key's directory that neither the
 * new manifest nor the one it replaced needs are removed: this uploader's at once, another's (one
 * before a failover, a failed upload) once they are an hour old.
 *
 * <p>One instance uploads (scorer 0); any number download. A download that finds a file gone
 * (replaced meanwhile) or different from the manifest fails, and the instance builds instead.
 */
final class IndexStore {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final String MANIFEST = "manifest.json";
  /** Another uploader's files no manifest needs are removed once they are this old (no upload takes an hour). */
  static final long FOREIGN_GRACE_MS = 3_600_000;

  /** One file of a commit: its name in the index, where its copy is (relative to the key's directory). */
  record FileCopy(String name, String copy, long length, long checksum) {}

  /** A commit as uploaded. */
  record Manifest(String segmentsFile, List<FileCopy> files, Map<String, String> data) {}

  private final Path root;
  /** This instance's uploads go under it: names from another writer never collide with its own. */
  private final String session = UUID.randomUUID().toString();
  private Manifest last;
  private boolean lastRead;

  private IndexStore(Path root) {
    this.root = root;
  }

  /** The copies of indexes of {@code identity} under {@code directory}. */
  static IndexStore of(String directory, Map<String, String> identity) {
    return new IndexStore(new Path(directory, key(identity)));
  }

  private static String key(Map<String, String> identity) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(new TreeMap<>(identity).toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Where the copies of this identity are. */
  String location() {
    return root.toString();
  }

  /** The latest commit uploaded, if any. */
  Optional<Manifest> latest() throws IOException {
    Path manifest = new Path(root, MANIFEST);
    FileSystem fs = manifest.getFileSystem();
    if (!fs.exists(manifest)) {
      return Optional.empty();
    }
    try (InputStream in = fs.open(manifest)) {
      return Optional.of(JSON.readValue(in, Manifest.class));
    }
  }

  /**
   * Copies the commit's files into {@code local} (emptied first) and checks each against its
   * length and checksum; fails if another writer holds {@code local}, or a file is gone or differs.
   */
  void download(Manifest manifest, java.nio.file.Path local) throws IOException {
    Files.createDirectories(local);
    try (Directory dir = new NIOFSDirectory(local); Lock lock = dir.obtainLock(IndexWriter.WRITE_LOCK_NAME)) {
      for (String name : dir.listAll()) {
        if (!name.equals(IndexWriter.WRITE_LOCK_NAME)) {
          dir.deleteFile(name);
        }
      }
      FileSystem fs = root.getFileSystem();
      // the segments file last: until it is there, the directory holds no index a reader would open
      List<FileCopy> files = new ArrayList<>(manifest.files());
      files.sort((a, b) -> Boolean.compare(a.name().equals(manifest.segmentsFile()), b.name().equals(manifest.segmentsFile())));
      for (FileCopy file : files) {
        try (InputStream in = fs.open(new Path(root, file.copy()))) {
          Files.copy(in, local.resolve(file.name()));
        }
        lock.ensureValid();
        try (IndexInput in = dir.openInput(file.name(), IOContext.READONCE)) {
          if (in.length() != file.length() || CodecUtil.checksumEntireFile(in) != file.checksum()) {
            throw new IOException("the copy of " + file.name() + " at " + new Path(root, file.copy()) + " differs from its manifest");
          }
        }
      }
    }
  }

  /**
   * Uploads the commit's files that the last manifest does not have, then a manifest naming them
   * all; removes the files neither it nor the manifest it replaced needs.
   *
   * @return bytes uploaded
   */
  long upload(CommittedIndex commit) throws IOException {
    if (!lastRead) {
      last = latest().orElse(null); // what an earlier uploader left: its files are reused
      lastRead = true;
    }
    Map<String, FileCopy> have = last == null ? Map.of()
        : last.files().stream().collect(Collectors.toMap(FileCopy::name, f -> f));
    FileSystem fs = root.getFileSystem();
    List<FileCopy> files = new ArrayList<>();
    long bytes = 0;
    try (Directory dir = new NIOFSDirectory(commit.directory())) {
      for (String name : commit.files()) {
        long length;
        long checksum;
        try (IndexInput in = dir.openInput(name, IOContext.READONCE)) {
          length = in.length();
          checksum = CodecUtil.retrieveChecksum(in);
        }
        FileCopy known = have.get(name);
        if (known != null && known.length() == length && known.checksum() == checksum) {
          files.add(known);
          continue;
        }
        FileCopy copy = new FileCopy(name, session + "/" + name, length, checksum);
        try (OutputStream out = fs.create(new Path(root, copy.copy()), FileSystem.WriteMode.OVERWRITE)) {
          Files.copy(commit.directory().resolve(name), out);
        }
        bytes += length;
        files.add(copy);
      }
    }
    Manifest manifest = new Manifest(commit.segmentsFile(), files, commit.data());
    Path written = new Path(root, MANIFEST + "." + session);
    try (OutputStream out = fs.create(written, FileSystem.WriteMode.OVERWRITE)) {
      JSON.writeValue(out, manifest);
    }
    Path target = new Path(root, MANIFEST);
    if (!fs.rename(written, target)) { // a file system that does not replace on rename
      fs.delete(target, false);
      if (!fs.rename(written, target)) {
        throw new IOException("cannot write the manifest " + target);
      }
    }
    Manifest replaced = last;
    last = manifest;
    removeUnneeded(fs, replaced, manifest);
    return bytes;
  }

  /**
   * Deletes what under the key's directory neither the newest manifest nor the one it replaced
   * (which a download may be reading) needs: older commits' copies of this uploader at once; files
   * of other uploaders (an uploader before a failover, a failed upload's copies and manifest) once
   * they are older than {@link #FOREIGN_GRACE_MS}, so an upload still running elsewhere (an old task
   * finishing its copy after a failover) keeps its files; and emptied session directories but this
   * uploader's own.
   */
  private void removeUnneeded(FileSystem fs, Manifest replaced, Manifest newest) throws IOException {
    Set<String> needed = new HashSet<>();
    newest.files().forEach(f -> needed.add(f.copy()));
    if (replaced != null) {
      replaced.files().forEach(f -> needed.add(f.copy()));
    }
    long foreignBefore = System.currentTimeMillis() - FOREIGN_GRACE_MS;
    for (FileStatus entry : fs.listStatus(root)) {
      String name = entry.getPath().getName();
      boolean own = name.equals(session);
      if (entry.isDir()) {
        FileStatus[] files = fs.listStatus(entry.getPath());
        int left = files.length;
        for (FileStatus file : files) {
          boolean unneeded = !needed.contains(name + "/" + file.getPath().getName());
          if (unneeded && (own || file.getModificationTime() < foreignBefore) && fs.delete(file.getPath(), false)) {
            left--;
          }
        }
        if (left == 0 && !own) {
          fs.delete(entry.getPath(), true);
        }
      } else if (name.startsWith(MANIFEST + ".") && entry.getModificationTime() < foreignBefore) {
        fs.delete(entry.getPath(), false);
      }
    }
  }
}
