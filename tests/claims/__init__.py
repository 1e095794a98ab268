"""Every technical fact the lessons state about TensorFlow, Keras, NumPy or float32, as one test each.

Each test is named ``test_lNN_...`` after the lesson(s) and section that state the fact, and is
written with plain TensorFlow / Keras / NumPy (never the course's own helpers), with
TensorFlow's default kernels. When an upgrade changes a fact, its test fails and its name
says which lesson to rewrite.
"""
