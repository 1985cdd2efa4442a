"""Test configuration.

scikit-learn's ``check_array_api_input`` only runs when SciPy's array API
support is switched on, which must happen before SciPy is imported.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")
