#!/usr/bin/env python3
"""Train a BERT WordPiece tokenizer (via sentencepiece BPE) and write the files transformers.js loads.

    /usr/bin/python3 scripts/train/train_tokenizer.py --text .cache/pretrain/text.txt \
        --out .cache/model/tokenizer --vocab-size 16000

Steps: text -> BertNormalizer + BertPreTokenizer (wordpiece.py, identical to transformers.js) -> words, one
line per post -> sentencepiece BPE (C++, fast) -> pieces '▁xyz' become word-initial 'xyz', other pieces become
'##xyz' -> plus every character seen >= --min-char-count times and a fixed list (Kazakh and Russian letters,
Latin, digits, punctuation, emoji used in illegal-content ads) in both forms 'c' and '##c' (one unknown
character would turn the whole word into [UNK]) -> vocab of exactly --vocab-size entries with
[PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4.
Writes tokenizer.json, tokenizer_config.json, special_tokens_map.json, vocab.txt (+ sp.model for reference).
"""
import argparse
import collections
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wordpiece import SPECIAL_TOKENS, WordPieceTokenizer, bert_normalize, bert_pre_tokenize  # noqa: E402

KAZAKH = "әғқңөұүһі"
RUSSIAN = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
OTHER_CYR = "ѐђѓєѕіїјљњћќѝўџґ"
LATIN = "abcdefghijklmnopqrstuvwxyz"
LATIN_EXT = "áàâäãåçéèêëíìîïñóòôöõøúùûüýÿşğıśźżćńłęąčřšžőű"
DIGITS = "0123456789"
ASCII_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
PUNCT = "«»„“”‘’‚—–−‐…•·‼⁉№§°±×÷≈≠≤≥™©®✓✔☑★☆♥♡❤➡⬅⬆⬇↑↓→←↘↗✈☎⚜₸₽€£¥₿¢¤‰′″¶†‡¦¬¯´¸¨"
EMOJI = ("❄💎💊🍁🌿🍄🚀🔫🎰💰🍓💉🔞💣"
         "🍬🧪💨🔥⚡🌱🍀🌲🍭🎲🃏💵💸🤑🏆⚽🎯📈💲🪙🔪🗡💥🧨🍑🍆💦👅😈💋👙🛏📲📩👉👈👇👆✅❌⚠☠💀🐍🧿🕋☪✝☦"
         "🇰🇿🇷🇺🇦🇧🇬🇸🆘💯🎁🏧💳🏦🧊☘🌴🍪🍫🥦🍃🌾🐴🔮👑🎱🧲📍🗺📦🚚🚗🛵🏃🤫🔐💼🐉🍒🍋🍉🥥🧃🌈🦄💫⭐🌟✨🎉🎊"
         "🪓🏹🛡⚔🔰📿🙏🤲💒🔴🟢🟡🔵⚪⚫🟥🟩🟦❗❓‼💬📢📣🔊📞☎📱💻🖥⌚🕐⏰⏳🔝🆕🆓🆗🔔🔒🔓🔑🗝💠🔷🔶🔸🔹▪▫◾◽⬛⬜"
         "😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗🤩🤔🤨😐😑😶🙄😏😣😥😮🤐😯😪😫🥱😴😌😛😜😝🤤😒😓😔😕🙃🤑😲☹🙁"
         "😖😞😟😤😢😭😦😧😨😩🤯😬😰😱🥵🥶😳🤪😵🥴😠😡🤬😷🤒🤕🤢🤮🤧😇🥳🥺🤠🤡🤥🤫🤭🧐🤓👿👹👺💩👻👽🤖😺😸😹😻😼😽🙀😿😾"
         "👍👎👌✌🤞🤟🤘🤙👋🤚🖐✋🖖👏🙌👐🤝💪🖕✊👊🤛🤜☝🫵❤🧡💛💚💙💜🖤🤍🤎💔❣💕💞💓💗💖💘💝💟"
         "👶🧒👦👧🧑👨👩👴👵👮🕵💂👷🤴👸👳🧕🤵👰🤰🧔💃🕺👯🧖🚬🍺🍻🥂🍷🥃🍸🍹🍾🚨🚔🚓⚰⚱🧬🩸🩹💤🌙☀🌞⛔🚫🔇🔕📵🔜"
         "🏻🏼🏽🏾🏿\u20e3\ufe0f\u2642\u2640")


def required_chars():
    s = KAZAKH + RUSSIAN + OTHER_CYR + LATIN + LATIN_EXT + DIGITS + ASCII_PUNCT + PUNCT + EMOJI
    out = []
    for ch in s:
        # the BertNormalizer lowercases before WordPiece; keep the lowercased form only
        for c in ch.lower():
            if c not in out and c != " ":
                out.append(c)
    return out


def build_tokenizer_json(vocab_list, max_chars=100):
    vocab = {t: i for i, t in enumerate(vocab_list)}
    added = [{"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for t in SPECIAL_TOKENS]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": False, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [vocab["[CLS]"]], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [vocab["[SEP]"]], "tokens": ["[SEP]"]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": max_chars, "vocab": vocab},
    }


def write_tokenizer_files(out, vocab_list, model_max_length=128):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8") as fh:
        for t in vocab_list:
            fh.write(t + "\n")
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as fh:
        json.dump(build_tokenizer_json(vocab_list), fh, ensure_ascii=False, indent=1)
    specials = {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]",
                "mask_token": "[MASK]"}
    cfg = {"tokenizer_class": "BertTokenizer", "model_max_length": model_max_length, "do_lower_case": True,
           "strip_accents": False, "tokenize_chinese_chars": True, "do_basic_tokenize": True,
           "clean_up_tokenization_spaces": True, "padding_side": "right", "truncation_side": "right"}
    cfg.update(specials)
    cfg["added_tokens_decoder"] = {str(i): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                                            "single_word": False, "special": True}
                                   for i, t in enumerate(SPECIAL_TOKENS)}
    with open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as fh:
        json.dump(cfg, fh, ensure_ascii=False, indent=1)
    with open(os.path.join(out, "special_tokens_map.json"), "w", encoding="utf-8") as fh:
        json.dump(specials, fh, ensure_ascii=False, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--text", default=".cache/pretrain/text.txt")
    ap.add_argument("--out", default=".cache/model/tokenizer")
    ap.add_argument("--vocab-size", type=int, default=16000)
    ap.add_argument("--min-char-count", type=int, default=5)
    ap.add_argument("--max-length", type=int, default=128)
    args = ap.parse_args()
    import sentencepiece as spm

    t0 = time.time()
    chars = collections.Counter()
    tmp = tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False)
    n_lines = 0
    with open(args.text, encoding="utf-8") as fh:
        for line in fh:
            words = bert_pre_tokenize(bert_normalize(line.rstrip("\n")))
            if not words:
                continue
            for w in words:
                chars.update(w)
            tmp.write(" ".join(words) + "\n")
            n_lines += 1
    tmp.close()
    print("pre-tokenised %d lines in %.1fs, %d distinct chars" % (n_lines, time.time() - t0, len(chars)))

    char_list = required_chars()
    for c, n in chars.most_common():
        if n >= args.min_char_count and c not in char_list:
            char_list.append(c)
    char_entries = []
    for c in char_list:
        char_entries += [c, "##" + c]
    n_pieces_wanted = args.vocab_size - len(SPECIAL_TOKENS) - len(char_entries)
    print("chars kept: %d (%d vocab entries); room for %d subword pieces" % (len(char_list), len(char_entries),
                                                                              n_pieces_wanted))

    os.makedirs(args.out, exist_ok=True)
    prefix = os.path.join(args.out, "sp")
    t1 = time.time()
    # ask sentencepiece for more pieces than needed: some collapse onto chars already present
    spm.SentencePieceTrainer.train(
        input=tmp.name, model_prefix=prefix, model_type="bpe", vocab_size=n_pieces_wanted + 600,
        character_coverage=0.9995, normalization_rule_name="identity", split_by_whitespace=True,
        split_by_unicode_script=True, split_by_number=True, split_digits=False, max_sentencepiece_length=16,
        add_dummy_prefix=True, remove_extra_whitespaces=True, num_threads=2, input_sentence_size=0,
        shuffle_input_sentence=True, hard_vocab_limit=False, byte_fallback=False,
        unk_piece="<unk>", bos_id=-1, eos_id=-1, minloglevel=2)
    os.unlink(tmp.name)
    print("sentencepiece trained in %.1fs" % (time.time() - t1))

    sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
    vocab = list(SPECIAL_TOKENS)
    seen = set(vocab)
    char_set = set(char_entries)
    pieces = []
    for i in range(sp.get_piece_size()):
        if sp.is_unknown(i) or sp.is_control(i):
            continue
        p = sp.id_to_piece(i)
        if p.startswith("\u2581"):
            p = p[1:]
            if not p:
                continue
        else:
            p = "##" + p
        if p in seen or p in char_set:
            continue
        seen.add(p)
        pieces.append(p)
    pieces = pieces[:n_pieces_wanted]
    vocab += pieces
    for e in char_entries:
        if e not in seen:
            seen.add(e)
            vocab.append(e)
    print("vocab: %d entries (%d pieces, %d char entries)" % (len(vocab), len(pieces), len(char_entries)))
    write_tokenizer_files(args.out, vocab, args.max_length)

    # quick stats on the corpus
    tok = WordPieceTokenizer.from_tokenizer_json(os.path.join(args.out, "tokenizer.json"), args.max_length)
    n = unk = lengths = trunc = 0
    with open(args.text, encoding="utf-8") as fh:
        for k, line in enumerate(fh):
            if k >= 20000:
                break
            ids = tok.encode(line.rstrip("\n"), max_length=10 ** 9)
            n += len(ids)
            unk += sum(1 for i in ids if i == tok.unk_id)
            lengths += 1
            trunc += len(ids) > args.max_length
    print("on 20k posts: %.1f tokens/post, %.3f%% [UNK], %.1f%% longer than %d" %
          (n / max(lengths, 1), 100.0 * unk / max(n, 1), 100.0 * trunc / max(lengths, 1), args.max_length))
    for s in ["❄️💎 в наличии мяу и кристаллы, прикоп/магнит 🚀 @nur_crystal24_bot",
              "Мына қойлар сігәп бітті малдарды жинап алған құр тонап жүр елді",
              "КРУТИ СЛОТЫ 🎰 200 ФРИСПИНОВ!!! зеркало казино"]:
        ids = tok.encode(s)
        print("  ", " ".join(tok.tokens(ids)))
    print("done in %.1fs -> %s" % (time.time() - t0, args.out))


if __name__ == "__main__":
    main()
