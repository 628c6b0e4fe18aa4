"""What every page shares: rendering with the layout's context, flash messages, forms."""
