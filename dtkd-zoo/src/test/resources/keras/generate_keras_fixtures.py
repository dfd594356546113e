#!/usr/bin/python3
"""Writes small Keras 2 (.h5, HDF5) models and their expected logits, without Keras or TensorFlow.

Each model is written in the layout Keras 2.x `model.save("x.h5")` produces: root attributes `keras_version`,
`backend` and `model_config` (the JSON of `{"class_name": "Functional" or "Sequential", "config": ...}`), and a
`model_weights` group with one subgroup per layer (`weight_names` attribute, datasets `<layer>/<weight>:0`).
Weights are float32 from a fixed seed; BatchNormalization statistics are random, so BN is a real transform.

The expected logits are computed here by an independent numpy forward pass in float64 (channels_last, as Keras),
from the same float32 weights, on a fixed input whose values are multiples of 1/64 (exact in float32). `logits` are
the values before any softmax; for a model whose last layer applies a softmax, the pre-softmax values of that layer.

Output, next to this script: <name>.h5 and <name>.json ({"input_nchw": [N][C][H][W], "logits": [N][K], ...}).
Run with Debian's python3-h5py and python3-numpy:  /usr/bin/python3 generate_keras_fixtures.py
"""
import json
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
KERAS_VERSION = "2.11.0"
BN_EPSILON = 1e-3


class Model:
    """A Functional model description: layer configs in topological order, weights, and a numpy forward pass."""

    def __init__(self, name, input_shape, rng, sequential=False):
        self.name = name
        self.sequential = sequential
        self.rng = rng
        self.layers = []          # (class_name, config, inbound names)
        self.weights = {}         # layer name -> [(weight name, float32 array)]
        self.forward = {}         # layer name -> function(list of float64 inputs) -> float64 output
        self.shapes = {}          # layer name -> output shape without batch (H, W, C) or (F,)
        self.input_name = "input_1"
        self.layers.append(("InputLayer", {"batch_input_shape": [None] + list(input_shape), "dtype": "float32",
                                           "sparse": False, "ragged": False, "name": self.input_name}, []))
        self.shapes[self.input_name] = tuple(input_shape)
        self.output_name = None

    def _add(self, class_name, name, config, inbound, forward, shape, weights=()):
        config = dict({"name": name, "trainable": True, "dtype": "float32"}, **config)
        self.layers.append((class_name, config, list(inbound)))
        self.forward[name] = forward
        self.shapes[name] = shape
        if weights:
            self.weights[name] = list(weights)
        self.output_name = name
        return name

    def conv(self, name, x, filters, kernel, strides=1, padding="same", use_bias=True):
        h, w, c = self.shapes[x]
        k = (self.rng.standard_normal((kernel, kernel, c, filters)) * np.sqrt(2.0 / (kernel * kernel * c)))
        k = k.astype(np.float32)
        b = (self.rng.standard_normal(filters) * 0.1).astype(np.float32)
        if padding == "same":
            oh, ow = -(-h // strides), -(-w // strides)
        else:
            oh, ow = (h - kernel) // strides + 1, (w - kernel) // strides + 1
        config = {"filters": filters, "kernel_size": [kernel, kernel], "strides": [strides, strides],
                  "padding": padding, "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1,
                  "activation": "linear", "use_bias": use_bias,
                  "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                  "bias_initializer": {"class_name": "Zeros", "config": {}},
                  "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
                  "kernel_constraint": None, "bias_constraint": None}
        weights = [("kernel:0", k)] + ([("bias:0", b)] if use_bias else [])
        return self._add("Conv2D", name, config, [x],
                         lambda ins: conv2d(ins[0], k, b if use_bias else None, strides, padding),
                         (oh, ow, filters), weights)

    def batch_norm(self, name, x):
        c = self.shapes[x][-1]
        gamma = (1.0 + 0.2 * self.rng.standard_normal(c)).astype(np.float32)
        beta = (0.1 * self.rng.standard_normal(c)).astype(np.float32)
        mean = (0.2 * self.rng.standard_normal(c)).astype(np.float32)
        var = (0.5 + self.rng.random(c)).astype(np.float32)
        config = {"axis": len(self.shapes[x]), "momentum": 0.99, "epsilon": BN_EPSILON, "center": True,
                  "scale": True,
                  "beta_initializer": {"class_name": "Zeros", "config": {}},
                  "gamma_initializer": {"class_name": "Ones", "config": {}},
                  "moving_mean_initializer": {"class_name": "Zeros", "config": {}},
                  "moving_variance_initializer": {"class_name": "Ones", "config": {}},
                  "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None,
                  "gamma_constraint": None}
        weights = [("gamma:0", gamma), ("beta:0", beta), ("moving_mean:0", mean), ("moving_variance:0", var)]
        f = lambda ins: (ins[0] - mean.astype(np.float64)) / np.sqrt(var.astype(np.float64) + BN_EPSILON) \
            * gamma.astype(np.float64) + beta.astype(np.float64)
        return self._add("BatchNormalization", name, config, [x], f, self.shapes[x], weights)

    def activation(self, name, x, fn):
        return self._add("Activation", name, {"activation": fn}, [x], lambda ins: ACTIVATIONS[fn](ins[0]),
                         self.shapes[x])

    def add(self, name, a, b):
        return self._add("Add", name, {}, [a, b], lambda ins: ins[0] + ins[1], self.shapes[a])

    def pool(self, kind, name, x, size):
        h, w, c = self.shapes[x]
        config = {"pool_size": [size, size], "padding": "valid", "strides": [size, size],
                  "data_format": "channels_last"}
        reduce = np.max if kind == "MaxPooling2D" else np.mean
        return self._add(kind, name, config, [x], lambda ins: pool2d(ins[0], size, reduce),
                         (h // size, w // size, c))

    def global_average_pool(self, name, x):
        return self._add("GlobalAveragePooling2D", name, {"data_format": "channels_last", "keepdims": False}, [x],
                         lambda ins: ins[0].mean(axis=(1, 2)), (self.shapes[x][-1],))

    def flatten(self, name, x):
        return self._add("Flatten", name, {"data_format": "channels_last"}, [x],
                         lambda ins: ins[0].reshape(ins[0].shape[0], -1), (int(np.prod(self.shapes[x])),))

    def dense(self, name, x, units, activation="linear"):
        (f,) = self.shapes[x]
        k = (self.rng.standard_normal((f, units)) * np.sqrt(1.0 / f)).astype(np.float32)
        b = (self.rng.standard_normal(units) * 0.1).astype(np.float32)
        config = {"units": units, "activation": activation, "use_bias": True,
                  "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                  "bias_initializer": {"class_name": "Zeros", "config": {}},
                  "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
                  "kernel_constraint": None, "bias_constraint": None}
        # The forward pass stops before the activation: the logits are the pre-softmax values.
        return self._add("Dense", name, config, [x], lambda ins: ins[0] @ k.astype(np.float64) + b, (units,),
                         [("kernel:0", k), ("bias:0", b)])

    def run(self, x):
        values = {self.input_name: x}
        for class_name, config, inbound in self.layers[1:]:
            values[config["name"]] = self.forward[config["name"]]([values[i] for i in inbound])
        return values[self.output_name]

    def config_json(self):
        if self.sequential:
            # Keras 2 Sequential: a plain list of layer configs, each fed by the one before
            return json.dumps({"class_name": "Sequential",
                               "config": {"name": self.name,
                                          "layers": [{"class_name": class_name, "config": config}
                                                     for class_name, config, _ in self.layers]}})
        layers = []
        for class_name, config, inbound in self.layers:
            layers.append({"class_name": class_name, "config": config, "name": config["name"],
                           "inbound_nodes": [[[i, 0, 0, {}] for i in inbound]] if inbound else []})
        return json.dumps({"class_name": "Functional",
                           "config": {"name": self.name, "layers": layers,
                                      "input_layers": [[self.input_name, 0, 0]],
                                      "output_layers": [[self.output_name, 0, 0]]}})

    def save(self, path):
        with h5py.File(path, "w") as f:
            f.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
            f.attrs["backend"] = b"tensorflow"
            f.attrs["model_config"] = self.config_json().encode("utf8")
            mw = f.create_group("model_weights")
            mw.attrs["layer_names"] = [config["name"].encode("utf8") for _, config, _ in self.layers]
            mw.attrs["backend"] = b"tensorflow"
            mw.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
            for _, config, _ in self.layers:
                name = config["name"]
                g = mw.create_group(name)
                weights = self.weights.get(name, [])
                g.attrs["weight_names"] = [(name + "/" + w).encode("utf8") for w, _ in weights]
                for w, value in weights:
                    g.create_dataset(name + "/" + w, data=value)


def conv2d(x, k, b, stride, padding):
    """NHWC convolution (cross-correlation, as Keras) in float64; 'same' pads as TensorFlow (extra at the end)."""
    n, h, w, c = x.shape
    kh, kw, _, co = k.shape
    if padding == "same":
        oh, ow = -(-h // stride), -(-w // stride)
        ph = max((oh - 1) * stride + kh - h, 0)
        pw = max((ow - 1) * stride + kw - w, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    else:
        oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    out = np.zeros((n, oh, ow, co))
    k64 = k.astype(np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = x[:, i:i + stride * oh:stride, j:j + stride * ow:stride, :]
            out += np.einsum("nhwc,co->nhwo", patch, k64[i, j])
    return out if b is None else out + b.astype(np.float64)


def pool2d(x, size, reduce):
    n, h, w, c = x.shape
    oh, ow = h // size, w // size
    x = x[:, :oh * size, :ow * size, :].reshape(n, oh, size, ow, size, c)
    return reduce(x, axis=(2, 4))


ACTIVATIONS = {"relu": lambda v: np.maximum(v, 0.0), "linear": lambda v: v}


def residual_model(rng):
    """Conv-BN-ReLU stem, one residual block (Add), max pooling, a strided conv, global average pooling, Dense."""
    m = Model("keras_residual", (12, 12, 3), rng)
    x = m.conv("stem_conv", m.input_name, 8, 3, use_bias=False)
    x = m.batch_norm("stem_bn", x)
    x = m.activation("stem_relu", x, "relu")
    y = m.conv("block_conv1", x, 8, 3)
    y = m.batch_norm("block_bn1", y)
    y = m.activation("block_relu1", y, "relu")
    y = m.conv("block_conv2", y, 8, 3, use_bias=False)
    y = m.batch_norm("block_bn2", y)
    x = m.add("block_add", y, x)
    x = m.activation("block_relu2", x, "relu")
    x = m.pool("MaxPooling2D", "max_pool", x, 2)
    x = m.conv("down_conv", x, 12, 3, strides=2, padding="valid")
    x = m.activation("down_relu", x, "relu")
    x = m.global_average_pool("global_pool", x)
    m.dense("logits", x, 10)
    return m


def flatten_softmax_model(rng):
    """Conv-BN-ReLU, average pooling, Flatten (channels_last order) and a Dense layer with a softmax activation."""
    m = Model("keras_flatten_softmax", (8, 8, 3), rng)
    x = m.conv("conv", m.input_name, 6, 3, padding="valid")
    x = m.batch_norm("bn", x)
    x = m.activation("relu", x, "relu")
    x = m.pool("AveragePooling2D", "avg_pool", x, 2)
    x = m.flatten("flatten", x)
    m.dense("probabilities", x, 7, activation="softmax")
    return m


def sequential_model(rng):
    """A Sequential model: Conv-BN-ReLU, max pooling, global average pooling and a Dense softmax layer."""
    m = Model("keras_sequential", (10, 10, 3), rng, sequential=True)
    x = m.conv("conv", m.input_name, 5, 3)
    x = m.batch_norm("bn", x)
    x = m.activation("relu", x, "relu")
    x = m.pool("MaxPooling2D", "max_pool", x, 2)
    x = m.global_average_pool("global_pool", x)
    m.dense("probabilities", x, 4, activation="softmax")
    return m


def main():
    rng = np.random.default_rng(20240417)
    for build in (residual_model, flatten_softmax_model, sequential_model):
        model = build(rng)
        h, w, c = model.shapes[model.input_name]
        x_nhwc = rng.integers(-64, 65, size=(3, h, w, c)) / 64.0
        logits = model.run(x_nhwc)
        model.save(os.path.join(HERE, model.name + ".h5"))
        with open(os.path.join(HERE, model.name + ".json"), "w") as f:
            json.dump({"model": model.name + ".h5",
                       "note": "logits: numpy float64 forward pass (channels_last) of the float32 weights, before "
                               "any softmax; input_nchw: the same input in DL4J layout [N][C][H][W]",
                       "last_activation": model.layers[-1][1].get("activation", "linear"),
                       "input_nchw": x_nhwc.transpose(0, 3, 1, 2).tolist(),
                       "logits": logits.tolist()}, f)
            f.write("\n")
        print(model.name, "input", x_nhwc.shape, "logits", logits.shape, "max |logit|", np.abs(logits).max())


if __name__ == "__main__":
    main()
