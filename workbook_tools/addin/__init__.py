"""addin"""
