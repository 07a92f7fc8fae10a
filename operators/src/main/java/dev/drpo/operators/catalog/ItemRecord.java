package dev.drpo.operators.catalog;

/** A record of the compacted items topic as read: key, value (null: a delete), where it was read. */
public class ItemRecord {
  public byte[] key;
  /** Null for a tombstone. */
  public byte[] value;
  public int partition;
  public long offset;

  public ItemRecord() {}

  public ItemRecord(byte[] key, byte[] value, int partition, long offset) {
    this.key = key;
    this.value = value;
    this.partition = partition;
    this.offset = offset;
  }
}
