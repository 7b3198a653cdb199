"""BERT tokenizer (BertNormalizer + BertPreTokenizer + WordPiece + [CLS] $A [SEP]) re-implemented to give the
same ids as transformers.js 4.x (@huggingface/tokenizers) for the tokenizer.json written by train_tokenizer.py.

Behaviour copied from the JS implementation (node_modules/@huggingface/transformers/dist/transformers.node.mjs):
  1. special tokens ([PAD] [UNK] [CLS] [SEP] [MASK], normalized=false) are split out of the RAW text first
     (greedy, longest match, left to right) and map straight to their ids;
  2. BertNormalizer: drop U+0000, U+FFFD and every Cc/Cf/Co/Cs character except \\t \\n \\r; map JS-\\s
     whitespace to ' '; put spaces around BMP CJK ideographs; lowercase (strip_accents false: nothing else);
  3. BertPreTokenizer: trim, then regex  [^\\s P]+ | [P]  where P = \\p{P} plus ASCII 0x21-0x2F 0x3A-0x40
     0x5B-0x60 0x7B-0x7E;
  4. WordPiece greedy longest-match-first over code points, continuation prefix '##', a word longer than
     max_input_chars_per_word (100) or with any unmatched piece becomes a single [UNK];
  5. [CLS] + tokens + [SEP], THEN truncation to max_length (so a long post loses its final [SEP]).
"""
import json
import re
import unicodedata

# JavaScript's \s (ECMAScript WhiteSpace + LineTerminator)
JS_WS = set("\t\n\u000b\u000c\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
            "\u2028\u2029\u202f\u205f\u3000\ufeff")
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def _is_punct(ch):
    cp = ord(ch)
    if 0x21 <= cp <= 0x2F or 0x3A <= cp <= 0x40 or 0x5B <= cp <= 0x60 or 0x7B <= cp <= 0x7E:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs")


def _is_cjk(cp):
    # JS iterates UTF-16 code units here, so only BMP ranges can ever match
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF


def bert_normalize(text, lowercase=True):
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_control(ch):
            continue
        if ch in JS_WS:
            out.append(" ")
        elif _is_cjk(cp):
            out.append(" " + ch + " ")
        else:
            out.append(ch)
    t = "".join(out)
    if lowercase:
        t = t.lower()
    return t


def bert_pre_tokenize(text):
    words = []
    cur = []
    for ch in text:
        if ch in JS_WS:
            if cur:
                words.append("".join(cur))
                cur = []
        elif _is_punct(ch):
            if cur:
                words.append("".join(cur))
                cur = []
            words.append(ch)
        else:
            cur.append(ch)
    if cur:
        words.append("".join(cur))
    return words


class WordPieceTokenizer:
    def __init__(self, vocab, unk_token="[UNK]", prefix="##", max_input_chars_per_word=100, lowercase=True,
                 special_tokens=SPECIAL_TOKENS, model_max_length=128):
        self.vocab = vocab  # token -> id
        self.unk_token = unk_token
        self.unk_id = vocab[unk_token]
        self.prefix = prefix
        self.max_chars = max_input_chars_per_word
        self.lowercase = lowercase
        self.special = [t for t in special_tokens if t in vocab]
        self.model_max_length = model_max_length
        self.cls_id = vocab["[CLS]"]
        self.sep_id = vocab["[SEP]"]
        self.pad_id = vocab["[PAD]"]
        self.mask_id = vocab["[MASK]"]
        self._cache = {}
        self._special_re = re.compile("|".join(re.escape(t) for t in sorted(self.special, key=len, reverse=True)))

    @classmethod
    def from_tokenizer_json(cls, path, model_max_length=128):
        with open(path, encoding="utf-8") as fh:
            tj = json.load(fh)
        m = tj["model"]
        norm = tj.get("normalizer") or {}
        specials = [a["content"] for a in tj.get("added_tokens", [])]
        return cls(m["vocab"], unk_token=m.get("unk_token", "[UNK]"), prefix=m.get("continuing_subword_prefix", "##"),
                   max_input_chars_per_word=m.get("max_input_chars_per_word", 100),
                   lowercase=bool(norm.get("lowercase", True)), special_tokens=specials,
                   model_max_length=model_max_length)

    @classmethod
    def from_vocab_txt(cls, path, **kw):
        with open(path, encoding="utf-8") as fh:
            toks = [line.rstrip("\n") for line in fh]
        return cls({t: i for i, t in enumerate(toks)}, **kw)

    def word_ids(self, word):
        ids = self._cache.get(word)
        if ids is not None:
            return ids
        chars = list(word)
        if len(chars) > self.max_chars:
            ids = [self.unk_id]
        else:
            ids = []
            start = 0
            n = len(chars)
            vocab = self.vocab
            while start < n:
                end = n
                found = None
                while start < end:
                    sub = "".join(chars[start:end])
                    if start > 0:
                        sub = self.prefix + sub
                    tid = vocab.get(sub)
                    if tid is not None:
                        found = tid
                        break
                    end -= 1
                if found is None:
                    ids = [self.unk_id]
                    break
                ids.append(found)
                start = end
        if len(self._cache) < 2_000_000:
            self._cache[word] = ids
        return ids

    def _encode_section(self, text):
        t = bert_normalize(text, self.lowercase)
        if not t:
            return []
        out = []
        for w in bert_pre_tokenize(t):
            out.extend(self.word_ids(w))
        return out

    def tokenize_ids(self, text):
        """Ids without [CLS]/[SEP] and without truncation."""
        if not self.special:
            return self._encode_section(text)
        out = []
        pos = 0
        for m in self._special_re.finditer(text):
            out.extend(self._encode_section(text[pos:m.start()]))
            out.append(self.vocab[m.group(0)])
            pos = m.end()
        out.extend(self._encode_section(text[pos:]))
        return out

    def encode(self, text, max_length=None, add_special_tokens=True):
        """Like transformers.js with truncation: [CLS] + ids + [SEP], then cut to max_length."""
        ids = self.tokenize_ids(text)
        if add_special_tokens:
            ids = [self.cls_id] + ids + [self.sep_id]
        if max_length is None:
            max_length = self.model_max_length
        if max_length is not None and len(ids) > max_length:
            ids = ids[:max_length]
        return ids

    def tokens(self, ids):
        inv = getattr(self, "_inv", None)
        if inv is None:
            inv = self._inv = {v: k for k, v in self.vocab.items()}
        return [inv.get(i, self.unk_token) for i in ids]
