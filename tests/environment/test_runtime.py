"""setup_notebook(): no start-up noise, reproducible randomness, one plot style."""

import subprocess
import sys

import numpy as np


def test_tensorflow_imports_without_stderr_noise():
    code = "from losslab.environment.runtime import setup_notebook; setup_notebook(); import tensorflow as tf; print(tf.__version__)"
    env = {k: v for k, v in __import__("os").environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("2.")
    assert done.stderr == "", f"TensorFlow start-up noise reached stderr:\n{done.stderr}"


def test_seeds_make_numpy_and_tensorflow_repeat(tf):
    from losslab.environment.runtime import set_seeds

    set_seeds(5)
    first = (np.random.rand(3), tf.random.uniform((3,)).numpy())
    set_seeds(5)
    second = (np.random.rand(3), tf.random.uniform((3,)).numpy())
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_keras_training_repeats_exactly(tf):
    import keras

    from losslab.environment.runtime import set_seeds

    def train():
        set_seeds(0)
        x = np.random.rand(64, 5).astype("float32")
        y = (x.sum(axis=1, keepdims=True) > 2.5).astype("float32")
        model = keras.Sequential(
            [keras.Input((5,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)]
        )
        model.compile("adam", keras.losses.BinaryCrossentropy(from_logits=True))
        return model.fit(x, y, epochs=3, batch_size=16, verbose=0).history["loss"]

    assert train() == train()


def test_plot_style_is_applied():
    import matplotlib as mpl

    from losslab.environment.runtime import set_plot_style

    mpl.rcdefaults()
    set_plot_style()
    assert mpl.rcParams["axes.spines.top"] is False
    assert mpl.rcParams["image.cmap"] == "gray_r"


def test_threads_are_fixed_before_the_first_op_and_a_later_change_notes_to_restart():
    code = (
        "import tensorflow as tf\n"
        "from losslab.environment.runtime import import_tensorflow_quietly, setup_notebook\n"
        "setup_notebook(threads=1)\n"
        "setup_notebook(threads=1)  # running the imports cell again is fine\n"
        "print(tf.config.threading.get_intra_op_parallelism_threads())\n"
        "import_tensorflow_quietly(2)  # too late: a note, not an error\n"
        "try:\n"
        "    import_tensorflow_quietly(0)\n"
        "except ValueError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "1"
    assert "restart the kernel" in lines[1]
    assert "positive whole number" in lines[2]


def test_thread_pools_fixed_unless_the_user_set_them():
    code = (
        "import os; os.environ['TF_NUM_INTEROP_THREADS'] = '1'\n"
        "from losslab.environment import setup_notebook; setup_notebook()\n"
        "import tensorflow as tf\n"
        "print(os.environ['TF_NUM_INTRAOP_THREADS'], os.environ['TF_NUM_INTEROP_THREADS'], tf.__version__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:2] == ["2", "1"]  # TensorFlow reads them at import
