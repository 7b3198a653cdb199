"""A small BERT in plain PyTorch, with Hugging Face parameter names.

State-dict keys match transformers' BertForSequenceClassification / BertForMaskedLM
(bert.embeddings.*, bert.encoder.layer.N.attention.self.query.*, ..., bert.pooler.dense.*, classifier.*,
cls.predictions.*), so a checkpoint can be loaded into HF BERT if ever needed, and the ONNX export has the
standard BERT inputs (input_ids, attention_mask, token_type_ids; int64) and output `logits`.

Default size (see README): 2 layers x 128 hidden, 4 heads, 512 intermediate, 128 positions.
"""
import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class BertConfig:
    vocab_size: int = 16000
    hidden_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    intermediate_size: int = 512
    max_position_embeddings: int = 128
    type_vocab_size: int = 2
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    layer_norm_eps: float = 1e-12
    initializer_range: float = 0.02
    pad_token_id: int = 0
    num_labels: int = 9

    def to_dict(self):
        return asdict(self)


class BertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, input_ids, token_type_ids):
        seq_len = input_ids.shape[1]
        pos = torch.arange(seq_len, dtype=torch.long, device=input_ids.device).unsqueeze(0)
        x = self.word_embeddings(input_ids) + self.position_embeddings(pos) + self.token_type_embeddings(token_type_ids)
        return self.dropout(self.LayerNorm(x))


class BertSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h = c.num_attention_heads
        self.d = c.hidden_size // c.num_attention_heads
        self.query = nn.Linear(c.hidden_size, c.hidden_size)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.value = nn.Linear(c.hidden_size, c.hidden_size)
        self.dropout = nn.Dropout(c.attention_probs_dropout_prob)

    def _split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.h, self.d).transpose(1, 2)  # b h s d

    def forward(self, x, ext_mask, cls_only=False, fused_qkv=False):
        # cls_only: queries only at [CLS] (the last layer of a classifier needs no other output row).
        # fused_qkv: one [hidden, 3*hidden] product instead of three, for inference; identical values.
        if fused_qkv and not cls_only:
            w = torch.cat([self.query.weight, self.key.weight, self.value.weight], 0)
            b = torch.cat([self.query.bias, self.key.bias, self.value.bias], 0)
            q, k, v = F.linear(x, w, b).split(self.h * self.d, dim=-1)
            q, k, v = self._split(q), self._split(k), self._split(v)
        elif fused_qkv:
            w = torch.cat([self.key.weight, self.value.weight], 0)
            b = torch.cat([self.key.bias, self.value.bias], 0)
            k, v = F.linear(x, w, b).split(self.h * self.d, dim=-1)
            q, k, v = self._split(self.query(x[:, :1])), self._split(k), self._split(v)
        else:
            q = self._split(self.query(x[:, :1] if cls_only else x))
            k = self._split(self.key(x))
            v = self._split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.d) + ext_mask
        probs = self.dropout(torch.softmax(scores, dim=-1))
        ctx = torch.matmul(probs, v).transpose(1, 2)
        b, s = ctx.shape[0], ctx.shape[1]
        return ctx.reshape(b, s, self.h * self.d)


class BertSelfOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, h, x):
        return self.LayerNorm(self.dropout(self.dense(h)) + x)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = BertSelfAttention(c)
        self.output = BertSelfOutput(c)

    def forward(self, x, ext_mask, cls_only=False, fused_qkv=False):
        return self.output(self.self(x, ext_mask, cls_only, fused_qkv), x[:, :1] if cls_only else x)


class BertIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)

    def forward(self, x):
        return F.gelu(self.dense(x))


class BertOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.intermediate_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, h, x):
        return self.LayerNorm(self.dropout(self.dense(h)) + x)


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertOutput(c)

    def forward(self, x, ext_mask, cls_only=False, fused_qkv=False):
        a = self.attention(x, ext_mask, cls_only, fused_qkv)
        return self.output(self.intermediate(a), a)


class BertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(c) for _ in range(c.num_hidden_layers)])

    def forward(self, x, ext_mask, cls_only_last=False, fused_qkv=False):
        last = len(self.layer) - 1
        for i, layer in enumerate(self.layer):
            x = layer(x, ext_mask, cls_only_last and i == last, fused_qkv)
        return x


class BertPooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)

    def forward(self, x):
        return torch.tanh(self.dense(x[:, 0]))


class BertModel(nn.Module):
    def __init__(self, c, add_pooler=True):
        super().__init__()
        self.config = c
        self.embeddings = BertEmbeddings(c)
        self.encoder = BertEncoder(c)
        self.pooler = BertPooler(c) if add_pooler else None
        # Set by the ONNX export of a classifier: the same logits with less work (see BertEncoder.forward).
        self.export_fast = False

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        ext = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        h = self.encoder(self.embeddings(input_ids, token_type_ids), ext, self.export_fast, self.export_fast)
        pooled = self.pooler(h) if self.pooler is not None else None
        return h, pooled


def init_weights(module, std):
    for m in module.modules():
        if isinstance(m, nn.Linear):
            m.weight.data.normal_(0.0, std)
            if m.bias is not None:
                m.bias.data.zero_()
        elif isinstance(m, nn.Embedding):
            m.weight.data.normal_(0.0, std)
            if m.padding_idx is not None:
                m.weight.data[m.padding_idx].zero_()
        elif isinstance(m, nn.LayerNorm):
            m.weight.data.fill_(1.0)
            m.bias.data.zero_()


class BertPredictionHeadTransform(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, x):
        return self.LayerNorm(F.gelu(self.dense(x)))


class BertLMPredictionHead(nn.Module):
    def __init__(self, c, word_embeddings):
        super().__init__()
        self.transform = BertPredictionHeadTransform(c)
        self.decoder = nn.Linear(c.hidden_size, c.vocab_size, bias=False)
        self.decoder.weight = word_embeddings.weight  # tied
        self.bias = nn.Parameter(torch.zeros(c.vocab_size))

    def forward(self, x):
        return self.decoder(self.transform(x)) + self.bias


class BertOnlyMLMHead(nn.Module):
    def __init__(self, c, word_embeddings):
        super().__init__()
        self.predictions = BertLMPredictionHead(c, word_embeddings)


class BertForMaskedLM(nn.Module):
    """MLM model; the loss is computed only at the masked positions (labels != -100)."""

    def __init__(self, c):
        super().__init__()
        self.config = c
        self.bert = BertModel(c, add_pooler=False)
        self.cls = BertOnlyMLMHead(c, self.bert.embeddings.word_embeddings)
        init_weights(self, c.initializer_range)
        self.cls.predictions.decoder.weight = self.bert.embeddings.word_embeddings.weight

    def forward(self, input_ids, attention_mask, labels, with_acc=True):
        h, _ = self.bert(input_ids, attention_mask)
        sel = labels.view(-1) != -100
        hm = h.reshape(-1, h.shape[-1])[sel]
        logits = self.cls.predictions(hm)
        tgt = labels.view(-1)[sel]
        loss = F.cross_entropy(logits, tgt)
        acc = (logits.argmax(-1) == tgt).float().mean() if with_acc else None
        return loss, acc


class BertForSequenceClassification(nn.Module):
    """HF-compatible classifier: pooled [CLS] -> dropout -> linear(num_labels). Returns logits only."""

    def __init__(self, c):
        super().__init__()
        self.config = c
        self.num_labels = c.num_labels
        self.bert = BertModel(c, add_pooler=True)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)
        self.classifier = nn.Linear(c.hidden_size, c.num_labels)
        init_weights(self, c.initializer_range)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        _, pooled = self.bert(input_ids, attention_mask, token_type_ids)
        return self.classifier(self.dropout(pooled))

    def load_encoder_from_mlm(self, state_dict):
        """Copy bert.embeddings.* / bert.encoder.* from an MLM state dict; returns the keys not found."""
        own = self.state_dict()
        missing = []
        for k in own:
            if k.startswith("bert.embeddings.") or k.startswith("bert.encoder."):
                if k in state_dict and state_dict[k].shape == own[k].shape:
                    own[k] = state_dict[k]
                else:
                    missing.append(k)
        self.load_state_dict(own)
        return missing
