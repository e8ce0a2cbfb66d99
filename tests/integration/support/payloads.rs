//! Hostile feed text: each payload a (title, summary HTML, link) carrying
//! markup, script links, CSS expressions, bidi overrides or terminal escapes.
//! Used by `hostile` (through a crawl) and `serve`
//! (stored as is and rendered through every page of the server).

/// Every item gets one of these: (title, summary HTML, link). Each title holds
/// the marker word so searches and the topic find them.
pub const PAYLOADS: &[(&str, &str, &str)] = &[
    (
        "<script>alert('t1')</script> hostileprobe one",
        "<script>alert(1)</script><p>summary <b>one</b></p>",
        "javascript:alert(document.cookie)",
    ),
    (
        "<img src=x onerror=alert(1)> hostileprobe two",
        "<img src=x onerror=alert(1)><a href=\"javascript:alert(2)\" onclick=\"steal()\">click</a>",
        "JaVaScRiPt:alert(1)",
    ),
    (
        "hostileprobe <div style=\"background:url(javascript:alert(1))\">css</div> three",
        "<p style=\"width:expression(alert(1))\">expression(alert(1))</p><style>body{background:url(javascript:alert(1))}</style>",
        " javascript:alert(1)",
    ),
    (
        "hostileprobe \u{202E}txet desrever four",
        "invoice\u{202E}fdp.exe summary \u{2066}isolate\u{2069}",
        "data:text/html,<script>alert(1)</script>",
    ),
    (
        "hostileprobe \u{1b}[2J\u{1b}[31mred five",
        "clear\u{1b}[2J\u{1b}[H screen \u{7}bell \u{1b}[?1049h",
        "https://example.org/\u{1b}[2J",
    ),
    (
        "hostileprobe \u{1b}]8;;https://evil.example/\u{7}click me\u{1b}]8;;\u{7} six",
        "osc \u{1b}]0;pwned\u{7} title \u{1b}P+q\u{1b}\\ dcs",
        "https://example.org/ok\"><script>alert(1)</script>",
    ),
    (
        "hostileprobe </title><iframe src=\"https://evil.example\"></iframe> seven",
        "<object data=x></object><embed src=javascript:alert(1)><svg onload=alert(1)><form action=javascript:alert(1)>",
        "vbscript:msgbox(1)",
    ),
];
