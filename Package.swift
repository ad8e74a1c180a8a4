// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "autoconv",
    products: [
        .executable(name: "autoconv", targets: ["autoconv"]),
        .library(name: "AutoconvCore", targets: ["AutoconvCore"]),
        .library(name: "AutoconvCPU", targets: ["AutoconvCPU"]),
        .library(name: "AutoconvOpenCL", targets: ["AutoconvOpenCL"]),
        .library(name: "AutoconvEngines", targets: ["AutoconvEngines"]),
        .library(name: "AutoconvCascade", targets: ["AutoconvCascade"]),
        .library(name: "AutoconvCertificates", targets: ["AutoconvCertificates"]),
        .library(name: "AutoconvCheck", targets: ["AutoconvCheck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.0"),
    ],
    targets: [
        // MARK: Public modules
        .target(name: "AutoconvCore", exclude: ["README.md"]),
        .target(name: "AutoconvCPU", dependencies: ["AutoconvCore"], exclude: ["README.md"]),
        // The OpenCL backend: the only importer of COpenCL; kernels embedded by EmbedKernels.
        .target(name: "AutoconvOpenCL", dependencies: ["AutoconvCore", "COpenCL"], exclude: ["README.md"],
                plugins: ["EmbedKernels"]),
        // The one place that knows every backend: `Engines.make` chooses the engine of a run.
        .target(name: "AutoconvEngines", dependencies: ["AutoconvCore", "AutoconvCPU", "AutoconvOpenCL"], exclude: ["README.md"]),
        // What autoconv writes for others to read back: prove certificates (manifest, writer,
        // merger) and the JSON result files of bound/prove, which merge joins.
        .target(name: "AutoconvCertificates", dependencies: ["AutoconvCore"], exclude: ["README.md"]),
        // The independent checker behind `verify`: plain enumeration and plain children, never an
        // engine (small enough to audit on its own; it reads the certificate format, nothing more).
        .target(name: "AutoconvCheck", dependencies: ["AutoconvCore", "AutoconvCertificates"], exclude: ["README.md"]),
        // The multi-level cascade: run directory, survivor files, external sort, checkpoints.
        .target(name: "AutoconvCascade", dependencies: ["AutoconvCore"], exclude: ["README.md"]),
        // `autoconv plan`: estimates each start's cascade from seeded samples of its parents.
        .target(name: "AutoconvPlan", dependencies: ["AutoconvCore", "AutoconvCascade"], exclude: ["README.md"]),
        .executableTarget(
            name: "autoconv",
            dependencies: [
                "AutoconvCore", "AutoconvCertificates", "AutoconvCheck", "AutoconvCascade", "AutoconvOpenCL", "AutoconvEngines", "AutoconvPlan",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]
        ),

        // MARK: Implementation details
        // OpenCL loaded at run time with dlopen, plus the kernels' shared header.
        .target(name: "COpenCL", linkerSettings: [.linkedLibrary("dl")]),
        // Embeds Kernels/*.cl and Kernels/autoconv_shared.h as Swift string constants.
        .plugin(name: "EmbedKernels", capability: .buildTool(), dependencies: ["EmbedKernelsTool"]),
        .executableTarget(name: "EmbedKernelsTool", path: "Plugins/EmbedKernelsTool"),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: ["AutoconvCore", .product(name: "BigInt", package: "BigInt")],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "AutoconvCoreTests",
            dependencies: ["AutoconvCore", "TestSupport", .product(name: "BigInt", package: "BigInt")]
        ),
        .testTarget(name: "AutoconvCPUTests", dependencies: ["AutoconvCore", "AutoconvCPU", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["AutoconvCore", "TestSupport"]),
        .testTarget(name: "AutoconvOpenCLTests", dependencies: ["AutoconvCore", "AutoconvCPU", "AutoconvOpenCL", "AutoconvEngines", "TestSupport"]),
        .testTarget(name: "AutoconvCheckTests", dependencies: ["AutoconvCore", "AutoconvCPU", "AutoconvCertificates", "AutoconvCheck", "TestSupport"]),
        .testTarget(name: "AutoconvCascadeTests", dependencies: ["AutoconvCore", "AutoconvCPU", "AutoconvCascade", "AutoconvOpenCL", "TestSupport"]),
        .testTarget(name: "AutoconvEnginesTests", dependencies: ["AutoconvCore", "AutoconvCPU", "AutoconvOpenCL", "AutoconvEngines", "TestSupport"]),
        .testTarget(name: "AutoconvPlanTests", dependencies: ["AutoconvCore", "AutoconvCPU", "AutoconvCascade", "AutoconvPlan", "TestSupport"]),
        .testTarget(name: "ShardTests", dependencies: ["AutoconvCore", "AutoconvCPU", "AutoconvCertificates", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
