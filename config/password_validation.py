"""Password validators whose Django messages lack a Chinese translation."""

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    # Django 5.2 reworded this message (%d instead of %(min_length)d) and its zh_Hans
    # catalog has no entry for the new wording, so users would read English.
    def get_error_message(self):
        return f"密码长度太短。密码必须包含至少 {self.min_length} 个字符。"
