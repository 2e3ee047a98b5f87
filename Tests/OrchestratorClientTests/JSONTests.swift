import Testing
@testable import OrchestratorClient

@Suite struct JSONTests {
    @Test func parsesAndKeepsOrderAndLiterals() throws {
        let json = try JSON.parse(#" {"b": 1.50, "a": [true, false, null, "x\"y\u00e9\ud83d\ude00"], "n": -12e3} "#)
        #expect(json.compact == #"{"b":1.50,"a":[true,false,null,"x\"yé😀"],"n":-12e3}"#)
        #expect(json["a"][3].stringValue == "x\"yé😀")
        #expect(json["missing"].isNull)
        #expect(json["n"].typeName == "number")
    }

    @Test func prettyMatchesJq() throws {
        let json = try JSON.parse(#"{"Key":{"Hostname":"db","Port":3306},"L":[],"O":{},"S":"a\tb"}"#)
        #expect(json.pretty == """
        {
          "Key": {
            "Hostname": "db",
            "Port": 3306
          },
          "L": [],
          "O": {},
          "S": "a\\tb"
        }
        """)
        #expect(json.echoed == #"{ "Key": { "Hostname": "db", "Port": 3306 }, "L": [], "O": {}, "S": "a\tb" }"#)
    }

    @Test func rejectsMalformedInput() {
        for text in ["", "{", "[1,]", #"{"a" 1}"#, "tru", "01x", #""\q""#, "[1] 2", "\"a\nb\""] {
            #expect(throws: JSONParseError.self, "\(text)") { try JSON.parse(text) }
        }
    }

    @Test func deepNestingIsRefusedNotCrashed() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
    }
}

@Suite struct HTTPResponseParserTests {
    func parse(_ pieces: [String], close: Bool = false) throws -> HTTPResponse? {
        var parser = HTTPResponseParser()
        for piece in pieces { try parser.feed(Array(piece.utf8)[...]) }
        if close { try parser.finish() }
        return parser.response
    }

    @Test func contentLengthAcrossPieces() throws {
        let response = try parse(["HTTP/1.1 200 OK\r\nContent-Le", "ngth: 5\r\nX-A: b\r\n\r\nhe", "llo"])
        #expect(response?.status == 200)
        #expect(response?.bodyText == "hello")
        #expect(response?.header("x-a") == "b")
        #expect(try parse(["HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"]) == nil)
    }

    @Test func chunkedWithExtensionsAndTrailers() throws {
        let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        let response = try parse([head + "4;x=y\r\n[\"a\"\r\n", "3\r\n,1]\r\n0\r\nTrailer: 1\r\n\r\n"])
        #expect(response?.bodyText == "[\"a\",1]")
        #expect(try parse([head + "4\r\n[\"a\"\r\n0\r\n"]) == nil)
        #expect(throws: HTTPError.self) { try parse([head + "zz\r\n"]) }
    }

    @Test func manyChunksInSmallPieces() throws {
        var wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        for index in 0..<500 { wire += "3\r\n\(String(index % 10))ab\r\n" }
        wire += "0\r\n\r\n"
        var parser = HTTPResponseParser()
        let bytes = Array(wire.utf8)
        var start = 0
        while start < bytes.count {
            #expect(parser.response == nil)
            let end = min(start + 7, bytes.count)
            try parser.feed(bytes[start..<end])
            start = end
        }
        let expected = (0..<500).map { "\($0 % 10)ab" }.joined()
        #expect(parser.response?.bodyText == expected)
    }

    @Test func closeDelimitedAndEarlyClose() throws {
        #expect(try parse(["HTTP/1.0 404 Not Found\r\n\r\nnot here"], close: true)?.bodyText == "not here")
        #expect(throws: HTTPError.closedEarly("in the middle of the body")) {
            try parse(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"], close: true)
        }
        #expect(throws: HTTPError.self) { try parse(["SSH-2.0-OpenSSH\r\n\r\n"]) }
    }

    @Test func endpointParsing() throws {
        #expect(try HTTPEndpoint.parse("http://orc1:3000") == HTTPEndpoint(host: "orc1", port: 3000))
        #expect(try HTTPEndpoint.parse("http://orc1:3000/api/") == HTTPEndpoint(host: "orc1", port: 3000))
        #expect(try HTTPEndpoint.parse("orc1") == HTTPEndpoint(host: "orc1", port: 80))
        #expect(try HTTPEndpoint.parse("http://u:p@[::1]:3000/prefix").description == "http://[::1]:3000/prefix/api")
        #expect(try HTTPEndpoint.parse("http://u:p@h:1").password == "p")
        #expect(try HTTPEndpoint.parse("https://orc:3000") == HTTPEndpoint(host: "orc", port: 3000, tls: true))
        #expect(try HTTPEndpoint.parse("HTTPS://orc/x/").description == "https://orc:443/x/api")
        #expect(try HTTPEndpoint.parse("http://orc").port == 80)
        #expect(try HTTPEndpoint.parse("https://u:p@[::1]").description == "https://[::1]:443/api")
        #expect(throws: UsageError("unsupported scheme 'ftp' in ORCHESTRATOR_API endpoint ftp://orc:3000; use http://host:port or https://host:port")) {
            try HTTPEndpoint.parse("ftp://orc:3000")
        }
        #expect(try HTTPEndpoint.parseList("http://a:1 https://b:2").map(\.tls) == [false, true])
        #expect(try HTTPEndpoint.parseList(" http://a:1  http://b:2\n").count == 2)
        #expect(HTTPEndpoint.redacted("http://u:secret@h:1/api http://h2") == "http://<credentials removed>@h:1/api http://h2")
        #expect(base64("alice:s3cret") == "YWxpY2U6czNjcmV0")
        #expect(base64("ab") == "YWI=")
    }
}
