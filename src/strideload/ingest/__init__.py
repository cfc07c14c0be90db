"""Files in, activities out: detect the format, read it, normalise it, hand it to the store."""
