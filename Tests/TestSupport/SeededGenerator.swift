import AutoconvCore

/// The tests' seeded generator: the core's SplitMix64, so every random test is reproducible
/// from the seed it prints in its failure messages.
public typealias SeededGenerator = SplitMix64
