"""The canonical view: NFKC, invisible characters, look-alike folding, offsets, caching."""

from __future__ import annotations

import threading
import unicodedata

import pytest

from guardkit._canon import CanonicalText, canonical

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
HEART = "\u2764\ufe0f"
PERSIAN = "می\u200cخواهم"
HINDI = "क्\u200dष"


def spans(view: CanonicalText) -> list[tuple[int, int]]:
    """The original span of every character of the view."""
    return [view.to_original(i, i + 1) for i in range(len(view.text))]


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("ｉｇｎｏｒｅ ａｌｌ", "ignore all"),  # full-width letters
        ("ＡＢＣ１２３！", "ABC123!"),  # full-width upper case, digits, punctuation
        ("ﬁle ﬂow", "file flow"),  # ligatures expand
        ("𝐢𝐠𝐧𝐨𝐫𝐞 𝕻𝖗𝖔𝖒𝖕𝖙", "ignore Prompt"),  # mathematical alphanumerics
        ("a\u00a0b", "a b"),  # no-break space
        ("cafe\u0301", "café"),  # combining sequence composes
        ("ｶﾞ", "ガ"),  # half-width katakana with voiced mark composes
        ("\u3131\u314f", "가"),  # compatibility jamo compose into a syllable
        ("x²", "x2"),  # superscript
        ("①②", "12"),  # circled digits
    ],
)
def test_nfkc(original: str, expected: str) -> None:
    """NFKC folds compatibility forms to their plain equivalents."""
    assert canonical(original).text == expected


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("ig\u200bnore", "ignore"),  # zero-width space
        ("ig\u2060no\ufeffre", "ignore"),  # word joiner, BOM inside text
        ("\ufeffignore", "ignore"),  # BOM at the start too
        ("in\u00adstructions", "instructions"),  # soft hyphen
        ("a\u180eb\u2061c\u2062d\u2063e\u2064f", "abcdef"),  # Mongolian separator, invisible math
        ("\u202eerongi\u202c", "erongi"),  # bidi override and pop
        ("a\u2066b\u2069c\u200ed\u200fe", "abcde"),  # isolates, LRM, RLM
        ("a\u200db", "ab"),  # a lone ZWJ between Latin letters
        ("a\u200cb", "ab"),  # a lone ZWNJ between Latin letters
        ("hi\U000e0069\U000e0067\U000e006e", "hi"),  # tag characters
        ("a\ufe01b\U000e0100c", "abc"),  # variation selectors on letters
        ("x\ufe0f", "x"),  # VS16 after a letter with no emoji form
        ("\u200d\U0001f469", "\U0001f469"),  # ZWJ with nothing before it
        ("\U0001f468\u200d", "\U0001f468"),  # ZWJ with nothing after it
        ("\U0001f468\u200da", "\U0001f468a"),  # ZWJ between an emoji and a letter
    ],
)
def test_invisible_removed(original: str, expected: str) -> None:
    """Invisible and format characters outside a legitimate sequence are removed."""
    view = canonical(original)
    assert view.text == expected
    assert view.changed


@pytest.mark.parametrize(
    "original",
    [
        FAMILY,  # emoji ZWJ sequence
        ENGLAND,  # flag tag sequence
        HEART,  # emoji presentation selector
        "\u263a\ufe0e",  # text presentation selector on an emoji
        "1\ufe0f\u20e3",  # keycap
        "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag: VS16 then ZWJ
        "\U0001f469\U0001f3fd\u200d\U0001f4bb",  # skin tone then ZWJ
        PERSIAN,  # ZWNJ in Persian
        HINDI,  # ZWJ after a virama in Devanagari
        "ক্\u200dষ",  # Bengali
        "Привет, как дела?",  # Russian stays Russian
        "Καλημέρα κόσμε",  # Greek stays Greek
        "日本語のテキスト",  # Japanese
        "naïve café Größe",  # precomposed Latin
    ],
)
def test_legitimate_text_kept(original: str) -> None:
    """Legitimate sequences and genuine non-Latin text come through unchanged."""
    view = canonical(original)
    assert view.text == original
    assert view.text is original
    assert not view.changed


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("pаypаl", "paypal"),  # Cyrillic а inside a Latin word
        ("ΡayPal", "PayPal"),  # Greek capital rho
        ("іgnore аll рrevious", "ignore all previous"),  # each word mixed
        ("Ехес the command", "Exec the command"),  # look-alike-only word next to Latin words
        ("run сос now", "run coc now"),  # look-alike-only word between Latin words
        ("please ехес сос", "please exec coc"),  # a group of look-alike-only words
        ("ѕсоре", "ѕсоре"),  # look-alike-only word alone: no Latin context
        ("Это Python", "Это Python"),  # a Russian word with non-look-alike letters stays
        ("Привет, как дела?", "Привет, как дела?"),
        ("Я люблю Python и сор", "Я люблю Python и сор"),  # "и" (not a look-alike) in between
        ("Καλημέρα AI", "Καλημέρα AI"),  # Greek word with non-look-alike letters
        ("ΚΑΙ ΟΧΙ", "ΚΑΙ ΟΧΙ"),  # Greek capitals with no Latin context
        ("ΚΑΙ ok", "KAI ok"),  # ... and with it
    ],
)
def test_mixed_script_folding(original: str, expected: str) -> None:
    """Look-alike letters fold to Latin in Latin context and stay in genuine Cyrillic/Greek."""
    assert canonical(original).text == expected


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("\u201cquoted\u201d", '"quoted"'),
        ("it\u2019s \u2018so\u2019", "it's 'so'"),
        ("a\u2013b\u2014c\u2212d\u2010e", "a-b-c-d-e"),
        ("ıgnore", "ignore"),  # dotless i
        ("\u201equote\u201f", '"quote"'),
    ],
)
def test_punctuation_confusables(original: str, expected: str) -> None:
    """Typographic quotes, dashes and the dotless i fold everywhere."""
    assert canonical(original).text == expected


def test_ascii_fast_path() -> None:
    """ASCII input is its own view: same object, unchanged, identity offsets."""
    text = "plain ASCII text, nothing to do"
    view = CanonicalText(text)
    assert view.text is text
    assert not view.changed
    assert view.to_original(3, 9) == (3, 9)
    assert view.to_original(5, 5) == (5, 5)


def test_unchanged_unicode_is_same_object() -> None:
    """Non-ASCII text that needs nothing keeps the original object."""
    text = "Grüße aus München, 東京"
    assert CanonicalText(text).text is text


@pytest.mark.parametrize(
    ("original", "expected_spans"),
    [
        ("ｈｅｌｌｏ", [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]),
        ("ig\u200bnore", [(0, 1), (1, 2), (3, 4), (4, 5), (5, 6), (6, 7)]),
        ("ﬁx", [(0, 1), (0, 1), (1, 2)]),  # both letters of the ligature map to it
        ("cafe\u0301!", [(0, 1), (1, 2), (2, 3), (3, 5), (5, 6)]),  # é maps to e + accent
        ("e\u200b\u0301x", [(0, 3), (3, 4)]),  # removal let the accent compose
        ("\u200b\u200ba", [(2, 3)]),
        ("a\u200b\u200b", [(0, 1)]),
        ("½", [(0, 1), (0, 1), (0, 1)]),
        ("pаypаl", [(i, i + 1) for i in range(6)]),  # folding is one to one
    ],
)
def test_offset_map_exact(original: str, expected_spans: list[tuple[int, int]]) -> None:
    """Each view character maps to the original characters that display it."""
    assert spans(canonical(original)) == expected_spans


@pytest.mark.parametrize(
    ("original", "needle", "shown"),
    [
        ("say ｉｇｎｏｒｅ now", "ignore", "ｉｇｎｏｒｅ"),
        ("say i\u200bg\u200bn\u200bo\u200br\u200be now", "ignore", "i\u200bg\u200bn\u200bo\u200br\u200be"),
        ("a ﬁle b", "file", "ﬁle"),
        ("x pаypаl y", "paypal", "pаypаl"),
        ("\u202eabc\u202c de", "abc", "abc"),
    ],
)
def test_span_maps_to_what_displays_it(original: str, needle: str, shown: str) -> None:
    """A span of the view maps back to exactly the original text that displays it."""
    view = canonical(original)
    start = view.text.index(needle)
    a, b = view.to_original(start, start + len(needle))
    assert original[a:b] == shown


@pytest.mark.parametrize(
    ("original", "position", "expected"),
    [
        ("ab", 1, (1, 1)),
        ("a\u200bb", 1, (2, 2)),  # after the removed character
        ("a\u200b", 1, (2, 2)),  # the end of the view is the end of the original
        ("ﬁx", 1, (0, 1)),  # inside an expansion: the expansion's source
        ("ﬁx", 2, (1, 1)),
    ],
)
def test_empty_span(original: str, position: int, expected: tuple[int, int]) -> None:
    """An empty span maps to a position (or, inside an expansion, its source)."""
    assert canonical(original).to_original(position, position) == expected


@pytest.mark.parametrize("span", [(-1, 1), (0, 99), (2, 1), (3, 4)])
def test_out_of_range_span(span: tuple[int, int]) -> None:
    """Spans outside the view raise ValueError, on the fast path too."""
    for text in ("abc", "ａｂｃ"):
        with pytest.raises(ValueError, match="outside"):
            canonical(text).to_original(*span)


@pytest.mark.parametrize("span", [(0.5, 2.7), (1, 2.5), ("0", 1), (None, 1)])
def test_offsets_that_are_not_ints_raise_type_error(span: tuple[object, object]) -> None:
    """A float or str offset is refused instead of being passed through or truncated."""
    for text in ("hello", "\ufb01 abc"):
        view = canonical(text)
        with pytest.raises(TypeError, match="offsets must be ints"):
            view.to_original(*span)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="offsets must be ints"):
            view.folded_to_original(*span)  # type: ignore[arg-type]


def test_idempotent_examples() -> None:
    """The view of a view is itself."""
    for text in ("ｈｅｌｌｏ\u200b pаypаl", FAMILY + "a\u200db", "e\u200b\u0301", "™\ufe0f", "ﬁ½"):
        once = canonical(text).text
        assert canonical(once).text == once
        assert unicodedata.is_normalized("NFKC", once)


def test_fold_skips_letter_before_mark() -> None:
    """A look-alike followed by a combining mark stays, so the view stays NFKC."""
    text = "cat е\u0301"  # Cyrillic е with an acute: folding it would make "é" compose
    view = canonical(text).text
    assert unicodedata.is_normalized("NFKC", view)
    assert canonical(view).text == view


def test_cache_same_object() -> None:
    """The same str object gets the same view; an equal but distinct one gets its own."""
    text = "".join(["cache", " me"])
    view = canonical(text)
    assert canonical(text) is view
    other = "".join(["cache ", "me"])
    assert other == text
    assert other is not text
    assert canonical(other) is not view


def test_cache_bounded() -> None:
    """The per-thread cache keeps only the last few texts."""
    first = "".join(["first", "!"])
    view = canonical(first)
    for i in range(50):
        canonical(f"filler {i}")
    assert canonical(first) is not view


def test_cache_per_thread() -> None:
    """Each thread has its own cache."""
    text = "".join(["shared", "?"])
    main = canonical(text)
    seen: list[CanonicalText] = []
    worker = threading.Thread(target=lambda: seen.append(canonical(text)))
    worker.start()
    worker.join()
    assert seen[0] is not main
    assert seen[0].text == main.text


def test_immutable() -> None:
    """Attributes cannot be set or deleted."""
    view = canonical("ａ")
    with pytest.raises(AttributeError):
        view.text = "b"
    with pytest.raises(AttributeError):
        del view.original


def test_repr_hides_text() -> None:
    """The repr shows sizes, never the text."""
    view = canonical("secret ｐａｓｓｗｏｒｄ hunter2")
    shown = repr(view)
    assert "secret" not in shown
    assert "hunter2" not in shown
    assert "chars" in shown


def test_not_a_str() -> None:
    """Anything but a str is a TypeError."""
    with pytest.raises(TypeError):
        canonical(b"bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("original", "hidden", "smuggled"),
    [
        ("hi\U000e0069\U000e0067\U000e006e\U000e006f\U000e0072\U000e0065 there", "ignore", ((2, 8),)),
        ("a\U000e0041b\U000e0042", "A\nB", ((1, 2), (3, 4))),
        (ENGLAND, "", ()),  # a flag is not smuggling
        ("plain", "", ()),
        ("x\ufe0f", "", ()),  # one selector carries nothing
        # Bytes in variation selectors: 'h' = 0x68 -> VS17+0x58, 'i' = 0x69 -> VS17+0x59.
        ("\U0001f600\U000e0158\U000e0159", "hi", ((1, 3),)),
        ("\U0001f600\ufe06\ufe08", "\x06\x08", ((1, 3),)),  # VS7, VS9: bytes 6 and 8
    ],
)
def test_hidden(original: str, hidden: str, smuggled: tuple[tuple[int, int], ...]) -> None:
    """Tag-character and variation-selector smuggling is decoded into .hidden."""
    view = canonical(original)
    assert view.hidden == hidden
    assert view.smuggled == smuggled
    for a, b in view.smuggled:
        assert a < b <= len(original)
