import Foundation
import NetCDFIO
import Testing
import TestSupport

/// Every numeric type, CF packing, fill, missing and valid-range variant, the
/// library's default fill and text variables, on a file written by Python's
/// netCDF4 with raw (unscaled, unmasked) values; netCDF4's own CF reading of
/// the packed variables is stored beside them for comparison.
@Suite(.serialized) struct PhysicalReadTests {
    static let file: String = {
        let folder = try! TestEnvironment.temporaryDirectory("netcdf-physical")
        let path = folder.appendingPathComponent("variants.nc").path
        return path
    }()

    static func write() throws -> NetCDFFile {
        if !FileManager.default.fileExists(atPath: file) {
            try PythonNetCDF.run(script(file))
        }
        return try NetCDFFile.open(file)
    }

    static func script(_ path: String) -> String {
        """
        import numpy as np, netCDF4
        f = netCDF4.Dataset('\(path)', 'w')
        f.createDimension('n', 6); f.createDimension('w', 8)
        def var(name, dtype, values, dims=('n',), **attrs):
            fill = attrs.pop('_FillValue', None)
            v = f.createVariable(name, dtype, dims, fill_value=fill) if fill is not None else f.createVariable(name, dtype, dims)
            v.set_auto_maskandscale(False)
            for k, a in attrs.items(): v.setncattr(k, a)
            if values is not None: v[:] = np.array(values, dtype=dtype)
            return v
        var('plain_i1', 'i1', [-128, -127, 0, 1, 2, 127])
        var('plain_u1', 'u1', [0, 1, 2, 128, 254, 255])
        var('plain_i2', 'i2', [-32768, -32767, 0, 1, 2, 32767])
        var('plain_u2', 'u2', [0, 1, 2, 3, 65534, 65535])
        var('plain_i4', 'i4', [-2147483648, -2147483647, 0, 1, 2, 2147483647])
        var('plain_u4', 'u4', [0, 1, 2, 3, 4294967294, 4294967295])
        var('plain_i8', 'i8', [-9223372036854775807, -9223372036854775806, 0, 1, 2, 9007199254740993])
        var('plain_u8', 'u8', [0, 1, 2, 9223372036854775808, 18446744073709551614, 18446744073709551615])
        var('plain_f4', 'f4', [9.969209968386869e36, 1.5, -2.25, np.nan, np.inf, 0])
        var('plain_f8', 'f8', [9.969209968386869e36, 1.5, -2.25, np.nan, -np.inf, 1e300])
        u = f.createVariable('unwritten_f4', 'f4', ('n',)); u[0:3] = [1, 2, 3]
        w = f.createVariable('unwritten_i4', 'i4', ('n',)); w[0:2] = [7, 8]
        var('packed_i2', 'i2', [12345, -9999, 0, 32767, -1, 100], _FillValue=np.int16(-9999),
            scale_factor=np.float32(0.01), add_offset=np.float32(300))
        var('packed_u1', 'u1', [0, 255, 254, 128, 1, 2], _FillValue=np.uint8(255),
            scale_factor=np.float64(0.5), add_offset=np.float64(-10))
        var('packed_i4', 'i4', [400123, -1, 0, 2, 3, 4], scale_factor=np.float64(1e-3))
        var('scaled_f4', 'f4', [400, 410.5, -999999, 0, 1, 2], scale_factor=np.float32(1e-6), missing_value=np.float32(-999999))
        var('fill_u8', 'u8', [18446744073709551615, 18446744073709551614, 1, 2, 3, 4], _FillValue=np.uint64(18446744073709551615))
        var('fill_i8', 'i8', [-9223372036854775807, -9223372036854775806, 1, 2, 3, 4], _FillValue=np.int64(-9223372036854775807))
        var('fill_u2', 'u2', [65000, 1, 2, 3, 4, 65535], _FillValue=np.uint16(65000))
        var('missing_scalar', 'f4', [-999999, 1, 2, 3, 4, 5], missing_value=np.float32(-999999))
        var('missing_list', 'i2', [-1, -2, -3, 0, 1, 2], missing_value=np.array([-1, -2], dtype='i2'))
        var('missing_unsigned', 'u1', [0, 1, 2, 3, 4, 5], missing_value=np.int32(-999999))
        var('valid_range_packed', 'i2', [-5, 0, 500, 1000, 1001, 20], valid_range=np.array([0, 1000], dtype='i2'),
            scale_factor=np.float32(0.1))
        var('valid_unpacked', 'i2', [50, 99, 100, 500, 501, 300], scale_factor=np.float32(0.1),
            valid_min=np.float32(10), valid_max=np.float32(50))
        var('valid_minmax_f8', 'f8', [-0.1, 0, 1, 1.1, 0.5, 0.25], valid_min=0.0, valid_max=1.0)
        for name in ['packed_i2', 'packed_u1', 'packed_i4', 'scaled_f4', 'valid_range_packed', 'valid_unpacked']:
            v = f.variables[name]; v.set_auto_maskandscale(True)
            e = f.createVariable('python_' + name, 'f8', ('n',)); e.set_auto_maskandscale(False)
            e[:] = np.ma.filled(v[:].astype('f8'), np.nan)
        g = f.createVariable('gain', 'S1', ('n',)); g[:] = np.array([b'H', b'M', b'H', b'H', b'M', b'H'])
        ids = f.createVariable('ids', 'S1', ('n', 'w'))
        ids[:] = netCDF4.stringtochar(np.array(['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffffff'], dtype='S8'))
        s = f.createVariable('sstr', str, ('n',)); s[:] = np.array(['x', 'yy', '', 'γ', 'z', 'w'], dtype=object)
        c = f.createVariable('scalar_char', 'S1', ()); c[...] = np.array(b'H', dtype='S1')
        f.close()
        """
    }

    @Test func everyNumericTypeReadsAsDoubleWithTheDefaultFillOfItsType() throws {
        let root = try Self.write().root
        func check(_ name: String, _ expected: [Double?]) throws {
            let read = try root.variable(name).readPhysical()
            for (index, value) in expected.enumerated() {
                if let value {
                    #expect(read.isValid(index) && read.values[index] == value, "\(name)[\(index)]: \(read.values[index]) \(String(describing: read.invalid[index]))")
                } else {
                    #expect(!read.isValid(index) && read.values[index].isNaN, "\(name)[\(index)] should be invalid")
                }
            }
        }
        // One-byte types: no default fill (they hold flags), as netCDF4-python.
        try check("plain_i1", [-128, -127, 0, 1, 2, 127])
        try check("plain_u1", [0, 1, 2, 128, 254, 255])
        try check("plain_i2", [-32768, nil, 0, 1, 2, 32767])
        try check("plain_u2", [0, 1, 2, 3, 65534, nil])
        try check("plain_i4", [-2_147_483_648, nil, 0, 1, 2, 2_147_483_647])
        try check("plain_u4", [0, 1, 2, 3, 4_294_967_294, nil])
        try check("plain_i8", [-9_223_372_036_854_775_807, nil, 0, 1, 2, 9_007_199_254_740_993])
        try check("plain_u8", [0, 1, 2, 9_223_372_036_854_775_808, nil, 18_446_744_073_709_551_615])
        try check("plain_f4", [nil, 1.5, -2.25, nil, nil, 0])
        try check("plain_f8", [nil, 1.5, -2.25, nil, nil, 1e300])
        let f4 = try root.variable("plain_f4").readPhysical()
        #expect(f4.invalid == [.fillValue, nil, nil, .notFinite, .notFinite, nil])
        try check("unwritten_f4", [1, 2, 3, nil, nil, nil])
        try check("unwritten_i4", [7, 8, nil, nil, nil, nil])
        #expect(try root.variable("unwritten_f4").readPhysical().invalid[4] == .fillValue)
        // Typed raw reads of the new types keep their exact values.
        #expect(try root.variable("plain_u8").read(UInt64.self).last == UInt64.max)
        #expect(try root.variable("plain_u2").read(UInt16.self) == [0, 1, 2, 3, 65534, 65535])
        #expect(try root.variable("plain_i2").read(Int16.self).first == Int16.min)
        #expect(try root.variable("plain_u4").read(UInt32.self).last == UInt32.max)
        #expect(try root.variable("plain_u4").type() == .uint32)
    }

    @Test func packingIsAppliedAsCFAndNetCDF4PythonDo() throws {
        let root = try Self.write().root
        for name in ["packed_i2", "packed_u1", "packed_i4", "scaled_f4", "valid_range_packed", "valid_unpacked"] {
            let ours = try root.variable(name).readPhysical()
            let python = try root.variable("python_" + name).read(Double.self)
            for (index, reference) in python.enumerated() {
                if reference.isNaN {
                    #expect(!ours.isValid(index), "\(name)[\(index)] is masked by netCDF4-python")
                } else {
                    #expect(ours.isValid(index) && abs(ours.values[index] - reference) <= 1e-6 * abs(reference),
                            "\(name)[\(index)]: \(ours.values[index]) vs \(reference)")
                }
            }
        }
        // Exact answers: int16 × float 0.01 + 300 in float; ubyte fill 255 unsigned.
        let i2 = try root.variable("packed_i2").readPhysical()
        #expect(i2.values[0] == Double(Float(12345 * Double(Float(0.01)) + 300)))
        #expect(i2.invalid[1] == .fillValue && i2.values[3] == Double(Float(32767 * Double(Float(0.01)) + 300)))
        let u1 = try root.variable("packed_u1").readPhysical()
        #expect(u1.invalid[1] == .fillValue && u1.values[2] == 254 * 0.5 - 10 && u1.values[0] == -10)
        #expect(try root.variable("packed_i4").readPhysical().values[0] == 400123 * 1e-3)
        let scaled = try root.variable("scaled_f4").readPhysical()
        #expect(scaled.invalid[2] == .missingValue && scaled.values[0] == Double(Float(400 * Double(Float(1e-6)))))
    }

    @Test func fillMissingAndValidRangeAreReadInTheVariablesType() throws {
        let root = try Self.write().root
        let u8 = try root.variable("fill_u8").readPhysical()
        #expect(u8.invalid[0] == .fillValue && u8.isValid(1), "an explicit _FillValue replaces the default fill")
        #expect(try root.variable("fill_u8").attribute("_FillValue") == .uint64s([UInt64.max]))
        let i8 = try root.variable("fill_i8").readPhysical()
        #expect(i8.invalid[0] == .fillValue && i8.isValid(1), "64-bit markers compare exactly")
        let u2 = try root.variable("fill_u2").readPhysical()
        #expect(u2.invalid[0] == .fillValue && u2.isValid(5) && u2.values[5] == 65535)
        #expect(try root.variable("fill_u2").attribute("_FillValue") == .uint16s([65000]), "unsigned, not -536")
        #expect(try root.variable("missing_scalar").readPhysical().invalid == [.missingValue, nil, nil, nil, nil, nil])
        #expect(try root.variable("missing_list").readPhysical().invalid == [.missingValue, .missingValue, nil, nil, nil, nil])
        #expect(try root.variable("missing_unsigned").readPhysical().invalidCount == 0,
                "a marker the type cannot hold matches nothing")
        #expect(try root.variable("valid_range_packed").readPhysical().invalid
                == [.outsideValidRange, nil, nil, nil, .outsideValidRange, nil])
        // Limits apply to the packed values (CF 8.1), even when given as float.
        let unpacked = try root.variable("valid_unpacked").readPhysical()
        #expect(unpacked.invalid == [nil, .outsideValidRange, .outsideValidRange, .outsideValidRange, .outsideValidRange, .outsideValidRange])
        #expect(try root.variable("valid_minmax_f8").readPhysical().invalid == [.outsideValidRange, nil, nil, .outsideValidRange, nil, nil])
    }

    @Test func textVariablesOfEveryLayoutRead() throws {
        let root = try Self.write().root
        #expect(try root.variable("gain").readText(records: 6) == ["H", "M", "H", "H", "M", "H"])
        #expect(try root.variable("ids").readText(records: 6) == ["a", "bb", "ccc", "dddd", "eeeee", "ffffffff"])
        #expect(try root.variable("sstr").readText(records: 6) == ["x", "yy", "", "γ", "z", "w"])
        #expect(try root.variable("scalar_char").readText(records: 1) == ["H"])
        let wrong = #expect(throws: NetCDFError.self) { try root.variable("ids").readText(records: 5) }
        #expect(wrong?.object == "ids")
        let numbers = #expect(throws: NetCDFError.self) { try root.variable("plain_f4").readText(records: 6) }
        #expect(numbers?.message.contains("expected text") == true)
        let text = #expect(throws: NetCDFError.self) { try root.variable("gain").readPhysical() }
        #expect(text?.message.contains("expected numbers") == true)
    }
}

@Suite struct UnsignedRoundTripTests {
    @Test func sixteenBitAndUnsignedVariablesAndAttributesRoundTrip() throws {
        let path = try TestEnvironment.temporaryDirectory("netcdf-unsigned").appendingPathComponent("u.nc").path
        let file = try NetCDFFile.create(path)
        try file.root.addDimension("n", length: 2)
        let values: [(String, NetCDFType, NetCDFAttribute)] = [
            ("i2", .int16, .int16s([-32768])), ("u2", .uint16, .uint16s([65535])),
            ("u4", .uint32, .uint32s([4_294_967_295])), ("u8", .uint64, .uint64s([UInt64.max])), ("u1", .uint8, .uint8s([255])),
        ]
        for (name, type, fill) in values {
            try file.root.addVariable(name, type: type, dimensions: ["n"]).setAttribute("_FillValue", fill)
        }
        try file.root.variable("i2").write([Int16.min, 7])
        try file.root.variable("u2").write([UInt16.max, 7])
        try file.root.variable("u4").write([UInt32.max, 7])
        try file.root.variable("u8").write([UInt64.max, 7])
        try file.root.variable("u1").write([UInt8.max, 7])
        try file.commit()
        let root = try NetCDFFile.open(path).root
        for (name, type, fill) in values {
            let variable = try root.variable(name)
            #expect(try variable.type() == type && variable.attribute("_FillValue") == fill)
            let read = try variable.readPhysical()
            #expect(read.invalid == [.fillValue, nil] && read.values[1] == 7, "\(name)")
        }
        #expect(try root.variable("u8").read(UInt64.self) == [UInt64.max, 7])
    }
}
