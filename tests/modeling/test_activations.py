"""Softmax next to sigmoid for one logit vector (the numbers behind the explorers and the coupling figure)."""

import numpy as np
import pytest

from losslab.modeling.activations import softmax_sigmoid_table


def test_table_values():
    table = softmax_sigmoid_table([0.0, 0.0])
    np.testing.assert_allclose(table["softmax"], [0.5, 0.5])
    np.testing.assert_allclose(table["sigmoid"], [0.5, 0.5])
    extreme = softmax_sigmoid_table([1e4, 0.0, -1e4])
    assert np.all(np.isfinite(extreme["softmax"])) and np.isclose(extreme["softmax"].sum(), 1.0)
    np.testing.assert_allclose(extreme["sigmoid"], [1.0, 0.5, 0.0])


@pytest.mark.parametrize(
    "bad, message", [([1.0], "at least 2"), ([[1.0, 2.0]], "1-D"), ([np.nan, 1.0], "finite")]
)
def test_table_refuses_bad_logits(bad, message):
    with pytest.raises(ValueError, match=message):
        softmax_sigmoid_table(bad)
