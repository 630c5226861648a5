// swift-tools-version:6.1
import PackageDescription

// Only the system-library targets (CMPI, CNetCDF, CBLAS, CSystem) and the
// stop-signal handler (CStopSignals) see C; every other module talks to them
// through Parallel, NetCDFIO, the numerics it owns or rcas's StopRequest and
// ProcessMemory.
let package = Package(
    name: "RCAS",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "rcas", targets: ["rcas"]),
        .library(name: "RCAS", targets: ["Parallel", "NetCDFIO", "Geometry", "CFOutput", "ModelTime", "RandomStreams",
                                         "Meteorology", "SyntheticWorld", "Inputs", "Transport", "Observations", "Assimilation", "Experiment", "Evaluation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C interop
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(name: "CNetCDF", pkgConfig: "netcdf",
                       providers: [.apt(["libnetcdf-dev", "netcdf-bin", "libhdf5-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        // System calls Swift's Glibc module lacks: allocator tuning, atomic name exchange.
        .systemLibrary(name: "CSystem"),
        // The stop-signal handler: C, because a handler must not enter the Swift runtime.
        .target(name: "CStopSignals"),

        // Foundation modules
        .target(name: "Parallel", dependencies: ["CMPI"]),
        .target(name: "NetCDFIO", dependencies: ["CNetCDF", "CSystem"]),
        .target(name: "ConfigFormat", dependencies: ["Yams"]),
        .target(name: "Geometry", dependencies: ["ConfigFormat"]),
        .target(name: "CFOutput", dependencies: ["Geometry", "NetCDFIO", "ModelTime"]),
        .target(name: "ModelTime"),
        .target(name: "RandomStreams"),
        .target(name: "SyntheticWorld", dependencies: ["Geometry", "ModelTime", "NetCDFIO"]),
        .target(name: "Meteorology", dependencies: ["Geometry", "ModelTime", "NetCDFIO", "ConfigFormat", "CFOutput",
                                                    "RandomStreams", "SyntheticWorld"]),
        .target(name: "Transport", dependencies: ["ConfigFormat", "Geometry", "Meteorology", "ModelTime", "Parallel",
                                                  "NetCDFIO", "CFOutput"]),
        .target(name: "Inputs", dependencies: ["ConfigFormat", "Geometry", "ModelTime", "NetCDFIO", "SyntheticWorld"]),
        .target(name: "Observations", dependencies: ["ConfigFormat", "Geometry", "ModelTime", "NetCDFIO", "CFOutput", "RandomStreams"]),
        .target(name: "Assimilation", dependencies: ["CBLAS", "Parallel", "Geometry", "ConfigFormat", "RandomStreams"]),
        .target(name: "Evaluation", dependencies: ["Geometry", "ModelTime", "NetCDFIO", "CFOutput"]),
        .target(name: "Experiment", dependencies: ["ConfigFormat", "Geometry", "ModelTime", "Parallel", "NetCDFIO",
                                                   "CFOutput", "RandomStreams", "Meteorology", "SyntheticWorld", "Inputs",
                                                   "Transport", "Observations", "Assimilation", "Evaluation",
                                                   .product(name: "Logging", package: "swift-log")]),

        // Command-line tool
        .executableTarget(name: "rcas", dependencies: [
            "CStopSignals", "CSystem", "Parallel", "NetCDFIO", "Geometry", "ConfigFormat", "CFOutput", "ModelTime",
            "RandomStreams", "Meteorology", "SyntheticWorld", "Inputs", "Transport", "Observations", "Assimilation", "Experiment", "Evaluation",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Tests: one target per module, plus end-to-end tests that launch the
        // built `rcas` binary (under mpirun where they check parallel behaviour).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .executableTarget(name: "parallel-check", dependencies: ["Parallel"], path: "Tests/ParallelCheck"),
        .testTarget(name: "ParallelTests", dependencies: ["Parallel", "TestSupport"]),
        .testTarget(name: "NetCDFIOTests", dependencies: ["NetCDFIO", "TestSupport"]),
        .testTarget(name: "ConfigFormatTests", dependencies: ["ConfigFormat"]),
        .testTarget(name: "GeometryTests", dependencies: ["Geometry", "NetCDFIO", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "ModelTimeTests", dependencies: ["ModelTime"]),
        .testTarget(name: "RandomStreamsTests", dependencies: ["RandomStreams"]),
        .testTarget(name: "MeteorologyTests", dependencies: ["Meteorology", "Geometry", "ModelTime", "NetCDFIO",
                                                            "ConfigFormat", "TestSupport"]),
        .testTarget(name: "SyntheticWorldTests", dependencies: ["SyntheticWorld", "Geometry", "ModelTime",
                                                               "NetCDFIO", "TestSupport"]),
        .testTarget(name: "InputsTests", dependencies: ["Inputs", "Geometry", "ModelTime", "SyntheticWorld",
                                                       "ConfigFormat", "NetCDFIO", "TestSupport"]),
        .testTarget(name: "TransportTests", dependencies: ["Transport", "ConfigFormat", "Geometry", "Meteorology",
                                                          "ModelTime", "Parallel", "NetCDFIO", "TestSupport"]),
        .testTarget(name: "ObservationsTests", dependencies: ["Observations", "ConfigFormat", "Geometry", "ModelTime", "NetCDFIO",
                                                               "CFOutput", "TestSupport"]),
        .testTarget(name: "AssimilationTests", dependencies: ["Assimilation", "CBLAS", "Geometry", "ConfigFormat", "RandomStreams", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Geometry", "ModelTime", "NetCDFIO",
                                                           "CFOutput", "TestSupport"]),
        .testTarget(name: "ExperimentTests", dependencies: ["Experiment", "ConfigFormat", "RandomStreams", "TestSupport",
                                                           "Assimilation", "Evaluation", "NetCDFIO", "Observations", "Parallel",
                                                           "SyntheticWorld"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "NetCDFIO"], exclude: ["check_outputs.py"]),
    ]
)
