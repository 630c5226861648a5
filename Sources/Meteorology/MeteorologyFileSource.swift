import ModelTime

/// A meteorology source read from files (RCAS schema or wrfout): the files
/// and the whole hours they hold, for `rcas inputs check`.
public protocol MeteorologyFileSource: MeteorologyProvider {
    /// The files, in the order indexed.
    var files: [String] { get }
    /// Every hour the files hold, sorted.
    var hours: [ModelHour] { get }
}

extension NetCDFMeteorology: MeteorologyFileSource {}
extension WRFMeteorology: MeteorologyFileSource {}
